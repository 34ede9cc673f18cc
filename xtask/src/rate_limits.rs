//! `x-rate-limit`: an operation's documented limits, machine-readable, generated into each
//! client as `RATE_LIMITS` (which the runtime paces calls against). The prose stays beside
//! the numbers, as the documentation said it:
//!
//! ```yaml
//! x-rate-limit:
//!   note: "10 per minute per ICCID; 5 per second per company; 20-minute server cache"
//!   limits:
//!     - {requests: 10, per: 60s, scope: iccid, parameter: sim_iccid}
//!     - {requests: 5, per: 1s, scope: account}
//! ```
//!
//! Scopes: `account`, `token`, `ip`, or a path value (`iccid`, `package`) named by its
//! `parameter`. Periods: a whole number of `s`, `m` or `h`.

use proc_macro2::TokenStream;
use quote::quote;
use serde_yaml::Value;

use crate::spec::{Operation, Spec, snake_case};

/// One limit of one operation.
#[derive(Debug, PartialEq)]
pub struct Limit {
    /// The method name progenitor gives the operation.
    pub operation: String,
    pub requests: u32,
    pub per_ms: u64,
    pub scope: Scope,
}

#[derive(Debug, PartialEq)]
pub enum Scope {
    Account,
    Token,
    Ip,
    PathValue { kind: String, segment_from_end: usize },
}

const PATH_VALUE_KINDS: [&str; 2] = ["iccid", "package"];

/// The limits of `op`, or what is wrong with its `x-rate-limit`.
pub fn parse(op: &Operation) -> Result<Vec<Limit>, String> {
    let Some(node) = op.node.get("x-rate-limit") else {
        return Ok(Vec::new());
    };
    if node["note"].as_str().is_none_or(|n| n.trim().is_empty()) {
        return Err("`x-rate-limit` needs a `note`: the limit as the documentation words it".into());
    }
    let Some(limits) = node["limits"].as_sequence().filter(|l| !l.is_empty()) else {
        return Err("`x-rate-limit` needs `limits`: a list of {requests, per, scope}".into());
    };
    limits.iter().map(|limit| parse_limit(op, limit)).collect()
}

/// `pub const RATE_LIMITS`, for `connect_client!`.
pub fn tokens(spec: &Spec) -> TokenStream {
    let operations = spec.operations();
    let limits = operations
        .iter()
        .flat_map(|op| parse(op).expect("the lint checked x-rate-limit"))
        .map(|limit| {
            let Limit {
                operation,
                requests,
                per_ms,
                scope,
            } = limit;
            let scope = match scope {
                Scope::Account => quote!(::provider_core::Scope::Account),
                Scope::Token => quote!(::provider_core::Scope::Token),
                Scope::Ip => quote!(::provider_core::Scope::Ip),
                Scope::PathValue { kind, segment_from_end } => {
                    quote!(::provider_core::Scope::PathValue { kind: #kind, segment_from_end: #segment_from_end })
                }
            };
            quote! {
                ::provider_core::OperationLimit {
                    operation: #operation,
                    requests: #requests,
                    per: ::std::time::Duration::from_millis(#per_ms),
                    scope: #scope,
                },
            }
        });
    quote! {
        /// The provider's documented rate limits (the spec's `x-rate-limit`), which the client
        /// paces its calls against.
        pub const RATE_LIMITS: &[::provider_core::OperationLimit] = &[#(#limits)*];
    }
}

fn parse_limit(op: &Operation, limit: &Value) -> Result<Limit, String> {
    let requests = limit["requests"]
        .as_u64()
        .filter(|n| (1..=u64::from(u32::MAX)).contains(n))
        .ok_or("`x-rate-limit` limit needs `requests`: a positive whole number")? as u32;
    let per = limit["per"].as_str().unwrap_or_default();
    let per_ms = period_ms(per).ok_or_else(|| format!("`x-rate-limit` period `{per}`: write e.g. 1s, 60s, 15m, 1h"))?;
    let scope = match limit["scope"].as_str().unwrap_or_default() {
        "account" => Scope::Account,
        "token" => Scope::Token,
        "ip" => Scope::Ip,
        kind if PATH_VALUE_KINDS.contains(&kind) => {
            let parameter = limit["parameter"].as_str().ok_or_else(|| {
                format!("`x-rate-limit` scope `{kind}` needs `parameter`: the path parameter that holds it")
            })?;
            let segments: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
            let index = segments
                .iter()
                .position(|s| *s == format!("{{{parameter}}}"))
                .ok_or_else(|| format!("`x-rate-limit` parameter `{parameter}` is not in the path {}", op.path))?;
            Scope::PathValue {
                kind: kind.to_owned(),
                segment_from_end: segments.len() - 1 - index,
            }
        }
        other => {
            return Err(format!(
                "`x-rate-limit` scope `{other}`: use account, token, ip, {}",
                PATH_VALUE_KINDS.join(", ")
            ));
        }
    };
    Ok(Limit {
        operation: snake_case(op.id()),
        requests,
        per_ms,
        scope,
    })
}

fn period_ms(text: &str) -> Option<u64> {
    let unit = match text.chars().last()? {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        _ => return None,
    };
    let count: u64 = text[..text.len() - 1].parse().ok().filter(|n| *n > 0)?;
    Some(count * unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(yaml: &str) -> Result<Vec<Limit>, String> {
        let node: Value = serde_yaml::from_str(yaml).unwrap();
        parse(&Operation {
            path: "/sims/{sim_iccid}/usage",
            method: "get",
            node: &node,
        })
    }

    #[test]
    fn limits_are_read_with_their_scope() {
        let parsed = limits(
            "operationId: getUsage\nx-rate-limit:\n  note: 10 per minute per ICCID\n  limits:\n    - {requests: 10, per: 60s, scope: iccid, parameter: sim_iccid}\n    - {requests: 5, per: 1s, scope: account}\n",
        )
        .unwrap();
        assert_eq!(
            parsed,
            vec![
                Limit {
                    operation: "get_usage".into(),
                    requests: 10,
                    per_ms: 60_000,
                    scope: Scope::PathValue {
                        kind: "iccid".into(),
                        segment_from_end: 1
                    },
                },
                Limit {
                    operation: "get_usage".into(),
                    requests: 5,
                    per_ms: 1_000,
                    scope: Scope::Account
                },
            ]
        );
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("x-rate-limit: 3 per minute\n", "needs a `note`"),
            ("x-rate-limit: {note: n, limits: []}\n", "needs `limits`"),
            (
                "x-rate-limit: {note: n, limits: [{requests: 0, per: 1s, scope: ip}]}\n",
                "`requests`",
            ),
            (
                "x-rate-limit: {note: n, limits: [{requests: 1, per: a minute, scope: ip}]}\n",
                "period `a minute`",
            ),
            (
                "x-rate-limit: {note: n, limits: [{requests: 1, per: 1m, scope: company}]}\n",
                "scope `company`",
            ),
            (
                "x-rate-limit: {note: n, limits: [{requests: 1, per: 1m, scope: iccid}]}\n",
                "needs `parameter`",
            ),
            (
                "x-rate-limit: {note: n, limits: [{requests: 1, per: 1m, scope: iccid, parameter: iccid}]}\n",
                "not in the path",
            ),
        ];
        for (yaml, expected) in cases {
            let err = limits(&format!("operationId: getUsage\n{yaml}")).unwrap_err();
            assert!(err.contains(expected), "{yaml}: {err}");
        }
    }
}
