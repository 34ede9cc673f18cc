//! What tools need to know about a provider, generated from its spec into each client crate
//! as `PROVIDER`: `esim`, the facade and the tests read it instead of keeping their own
//! tables of providers.

use crate::paginate::Listing;

/// One provider, as its spec declares it.
#[derive(Clone, Copy, Debug)]
pub struct Descriptor {
    /// The spec's file stem (`specs/vellosim.yaml`): the CLI's provider name.
    pub name: &'static str,
    /// Prefix of the environment variables a tool reads (`VELLOSIM` → `VELLOSIM_API_KEY`).
    pub env_prefix: &'static str,
    pub credential: CredentialKind,
    /// The spec's production host (its `production` server), if it names one a client can
    /// connect to; without it a tool must be given the base URL.
    pub production: Option<&'static str>,
    /// Where the local sandbox serves this provider: `/<name>` plus the production server's
    /// path, so the client's paths follow unchanged.
    pub sandbox_mount: &'static str,
    /// The paginated operations (`x-pagination`).
    pub listings: &'static [Listing],
    /// The documented rate limits (`x-rate-limit`), which the runtime paces calls against.
    pub rate_limits: &'static [crate::OperationLimit],
    /// The generated `decode_component`, when the client crate's `decode-components` feature
    /// is on (tools that check payloads against the types turn it on; a service need not
    /// compile a decoder for every schema).
    pub decode_component: Option<DecodeComponent>,
}

/// Decodes a body as the type generated for the component schema `name`, the way the client
/// does, telling `undeclared` of each key the type skips ([`crate::observe::check`]); `None`
/// when the spec has no such schema.
pub type DecodeComponent = fn(
    name: &str,
    body: &[u8],
    undeclared: &mut dyn FnMut(crate::observe::Undeclared),
) -> Option<Result<(), crate::observe::Undecodable>>;

/// How a client authenticates, from the spec's security scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    /// A key sent in this header on every request.
    ApiKey { header: &'static str },
    /// A client id and secret exchanged at `token_path` for a bearer token found at
    /// `token_pointer` (a JSON pointer) in the answer.
    ClientCredentials {
        token_path: &'static str,
        token_pointer: &'static str,
    },
    /// Fields added to every JSON request body (`x-body-credential`), e.g. `api_id` and
    /// `api_password`; one environment variable each.
    BodyFields { fields: &'static [&'static str] },
}

impl Descriptor {
    /// The environment variables holding the credential (`AIRALO_CLIENT_ID`, …).
    pub fn credential_variables(&self) -> Vec<String> {
        let names: Vec<String> = match self.credential {
            CredentialKind::ApiKey { .. } => vec!["API_KEY".into()],
            CredentialKind::ClientCredentials { .. } => vec!["CLIENT_ID".into(), "CLIENT_SECRET".into()],
            CredentialKind::BodyFields { fields } => fields.iter().map(|f| f.to_uppercase()).collect(),
        };
        names.iter().map(|n| format!("{}_{n}", self.env_prefix)).collect()
    }

    /// The environment variable that points a client at another host (`AIRALO_BASE_URL`).
    pub fn base_url_variable(&self) -> String {
        format!("{}_BASE_URL", self.env_prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_follow_the_prefix_and_the_credential_kind() {
        let demo = Descriptor {
            name: "demo",
            env_prefix: "DEMO",
            credential: CredentialKind::ClientCredentials {
                token_path: "/token",
                token_pointer: "/data/access_token",
            },
            production: None,
            sandbox_mount: "/demo",
            listings: &[],
            rate_limits: &[],
            decode_component: None,
        };
        assert_eq!(demo.credential_variables(), ["DEMO_CLIENT_ID", "DEMO_CLIENT_SECRET"]);
        assert_eq!(demo.base_url_variable(), "DEMO_BASE_URL");
        let keyed = Descriptor {
            credential: CredentialKind::ApiKey { header: "x-api-key" },
            ..demo
        };
        assert_eq!(keyed.credential_variables(), ["DEMO_API_KEY"]);
        let in_body = Descriptor {
            credential: CredentialKind::BodyFields {
                fields: &["api_id", "api_password"],
            },
            ..demo
        };
        assert_eq!(in_body.credential_variables(), ["DEMO_API_ID", "DEMO_API_PASSWORD"]);
    }
}
