//! Providers that speak in the body: credentials sent as JSON fields (`x-body-credential`)
//! and refusals answered with HTTP 200 and a status field (`x-body-failure`).

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName};
use reqwest::{Request, Response};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// An operation whose HTTP 200 can be a refusal, as its spec's `x-body-failure` says:
/// the object at `pointer` (a JSON pointer; `""` is the whole body) has `field` set to one
/// of `values`. Generated into each client as `BODY_FAILURES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyFailure {
    /// The method name progenitor gives the operation.
    pub operation: &'static str,
    pub pointer: &'static str,
    pub field: &'static str,
    pub values: &'static [&'static str],
}

/// Marks a 200 turned into an error answer so that [`crate::Error`] reports the status the
/// provider really sent. Never leaves the process.
pub(crate) const REFUSED_IN_BODY: HeaderName = HeaderName::from_static("x-provider-core-refused-in-body");

/// The status the provider really sent for an answer the client received as `status` with
/// `headers`: a refusal in a 200 body (`BodyFailure`) reaches progenitor's error path as a
/// 400 and is reported as the 200 it was. Tools that print progenitor errors call this.
pub fn provider_status(status: reqwest::StatusCode, headers: &reqwest::header::HeaderMap) -> reqwest::StatusCode {
    headers
        .get(REFUSED_IN_BODY)
        .and_then(|v| v.to_str().ok()?.parse::<u16>().ok())
        .and_then(|code| reqwest::StatusCode::from_u16(code).ok())
        .unwrap_or(status)
}

impl BodyFailure {
    /// The refusal object when `body` is one.
    fn refusal<'b>(&self, body: &'b Value) -> Option<&'b Value> {
        let object = body.pointer(self.pointer)?;
        let status = object.get(self.field)?.as_str()?;
        self.values.contains(&status).then_some(object)
    }
}

/// Adds `fields` to the JSON object in `request`'s body; a request without a body gets one
/// holding just them (an operation whose body is only the credential). A body that is not a
/// JSON object is left alone: the provider refuses it as unauthenticated, the honest answer.
pub(crate) fn add_fields(request: &mut Request, fields: &[(&'static str, SecretString)]) {
    let mut object = match request.body() {
        None => {
            let json = reqwest::header::HeaderValue::from_static("application/json");
            request.headers_mut().insert(CONTENT_TYPE, json);
            serde_json::Map::new()
        }
        Some(body) => match body.as_bytes().map(serde_json::from_slice::<Value>) {
            Some(Ok(Value::Object(object))) => object,
            _ => return,
        },
    };
    for (name, value) in fields {
        object.insert((*name).to_owned(), Value::String(value.expose_secret().to_owned()));
    }
    let body = serde_json::to_vec(&object).expect("a JSON object serializes");
    request.headers_mut().remove(CONTENT_LENGTH);
    *request.body_mut() = Some(body.into());
}

/// A successful answer whose body is a refusal under `rule` becomes a 400 carrying the
/// refusal object (the operation's documented error body) and the marker header; anything
/// else comes back as it was.
pub(crate) async fn surface_refusal(response: Response, rule: &BodyFailure) -> reqwest::Result<Response> {
    if !response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    let refusal = serde_json::from_slice::<Value>(&bytes).ok().and_then(|body| {
        rule.refusal(&body)
            .map(|o| serde_json::to_vec(o).expect("JSON serializes"))
    });
    let mut rebuilt = http::Response::new(refusal.clone().map_or(bytes, Into::into));
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    rebuilt.headers_mut().remove(CONTENT_LENGTH);
    if refusal.is_some() {
        *rebuilt.status_mut() = reqwest::StatusCode::BAD_REQUEST;
        let original = http::HeaderValue::from(status.as_u16());
        rebuilt.headers_mut().insert(REFUSED_IN_BODY, original);
    } else {
        *rebuilt.status_mut() = status;
    }
    Ok(Response::from(rebuilt))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECT: BodyFailure = BodyFailure {
        operation: "send",
        pointer: "",
        field: "status",
        values: &["F"],
    };

    #[test]
    fn a_refusal_is_found_where_the_rule_points() {
        let refused = serde_json::json!({"status": "F", "remarks": "IP not Whitelisted"});
        assert_eq!(OBJECT.refusal(&refused), Some(&refused));
        assert_eq!(OBJECT.refusal(&serde_json::json!({"status": "S"})), None);
        assert_eq!(OBJECT.refusal(&serde_json::json!([{"status": "F"}])), None);
        let first = BodyFailure {
            pointer: "/0",
            ..OBJECT
        };
        let list = serde_json::json!([{"status": "F", "remarks": "no"}, {"status": "S"}]);
        assert_eq!(first.refusal(&list), Some(&list[0]));
        assert_eq!(
            first.refusal(&serde_json::json!([{"status": "S"}, {"status": "F"}])),
            None
        );
    }

    #[test]
    fn fields_join_the_json_body_and_nothing_else() {
        let fields = [
            ("api_id", SecretString::from("id-1")),
            ("api_password", SecretString::from("pw")),
        ];
        let url = reqwest::Url::parse("http://x/api/Send").unwrap();
        let mut request = Request::new(reqwest::Method::POST, url.clone());
        *request.body_mut() = Some(br#"{"text":"hi"}"#.to_vec().into());
        add_fields(&mut request, &fields);
        let body: Value = serde_json::from_slice(request.body().unwrap().as_bytes().unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"text": "hi", "api_id": "id-1", "api_password": "pw"})
        );
        assert_eq!(request.url(), &url, "the credential never goes into the URL");
        let mut bodiless = Request::new(reqwest::Method::POST, url);
        add_fields(&mut bodiless, &fields);
        let body: Value = serde_json::from_slice(bodiless.body().unwrap().as_bytes().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"api_id": "id-1", "api_password": "pw"}));
        assert_eq!(bodiless.headers()[CONTENT_TYPE], "application/json");
    }
}
