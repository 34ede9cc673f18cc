//! The documented examples of a spec, with the schema each one is for, and each provider's
//! generated decoder.

use serde_json::Value;

/// A generated `decode_component`: decodes a body as the named schema's Rust type.
pub type Decoder = provider_clients::core::DecodeComponent;

/// The generated decoder of a provider's crate, from its descriptor (every provider the
/// facade knows). A new spec fails here until its crate is in the facade.
pub fn decoder(provider: &str) -> Decoder {
    let descriptor = provider_clients::PROVIDERS
        .iter()
        .find(|d| d.name == provider)
        .unwrap_or_else(|| panic!("specs/{provider}.yaml has no client crate in provider_clients::PROVIDERS"));
    descriptor
        .decode_component
        .unwrap_or_else(|| panic!("{provider}'s client is built without its `decode-components` feature"))
}

/// One documented example.
pub struct Example {
    pub at: String,
    pub schema: Value,
    pub value: Value,
}

impl Example {
    /// `($ref name, value)` pairs: an array of `$ref` items is decoded item by item.
    pub fn split(&self) -> Vec<(String, Value)> {
        if let Some(name) = ref_name(&self.schema) {
            return vec![(name, self.value.clone())];
        }
        let item = ref_name(&self.schema["items"]).expect("the spec lint allows only $ref bodies and arrays of them");
        self.value
            .as_array()
            .expect("an array example for an array schema")
            .iter()
            .map(|v| (item.clone(), v.clone()))
            .collect()
    }
}

fn ref_name(schema: &Value) -> Option<String> {
    schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_owned)
}

/// Every example of a spec: request and response bodies, shared responses, schemas.
pub fn examples(doc: &Value) -> Vec<Example> {
    let mut out = Vec::new();
    let mut media_examples = |at: String, media: &Value| {
        let schema = media["schema"].clone();
        if let Some(value) = media.get("example") {
            out.push(Example {
                at: at.clone(),
                schema: schema.clone(),
                value: value.clone(),
            });
        }
        for (name, ex) in media["examples"].as_object().into_iter().flatten() {
            out.push(Example {
                at: format!("{at} example {name}"),
                schema: schema.clone(),
                value: ex["value"].clone(),
            });
        }
    };
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let at = format!("{} {path}", method.to_uppercase());
            for (media_type, media) in op["requestBody"]["content"].as_object().into_iter().flatten() {
                media_examples(format!("{at} request {media_type}"), media);
            }
            for (code, response) in op["responses"].as_object().into_iter().flatten() {
                for (_, media) in response["content"].as_object().into_iter().flatten() {
                    media_examples(format!("{at} response {code}"), media);
                }
            }
        }
    }
    for (name, response) in doc["components"]["responses"].as_object().into_iter().flatten() {
        for (_, media) in response["content"].as_object().into_iter().flatten() {
            media_examples(format!("components.responses.{name}"), media);
        }
    }
    for (name, schema) in doc["components"]["schemas"].as_object().into_iter().flatten() {
        if let Some(value) = schema.get("example") {
            let schema = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
            out.push(Example {
                at: format!("components.schemas.{name}"),
                schema,
                value: value.clone(),
            });
        }
    }
    out
}
