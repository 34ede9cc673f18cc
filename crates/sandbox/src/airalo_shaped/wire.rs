//! Reading requests and writing answers the way Airalo does. Input is parsed by hand
//! (never with axum's extractors, whose rejections are `text/plain`), so that anything
//! malformed still gets one of Airalo's JSON error shapes.

use std::ops::RangeInclusive;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use crate::http::json;

/// A handler's outcome: both arms are complete responses, so `?` returns an error early.
pub type Reply = Result<Response, Response>;

/// `{data, meta: {message: "success"}}`, Airalo's success envelope.
pub fn success(data: Value) -> Response {
    json(StatusCode::OK, json!({"data": data, "meta": {"message": "success"}}))
}

/// 422 with a field → message map, as Laravel validation answers.
pub fn invalid(fields: Vec<(String, String)>) -> Response {
    let data: Map<String, Value> = fields.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    json(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"data": data, "meta": {"message": "the parameter is invalid"}}),
    )
}

/// 422 for one field.
pub fn invalid_field(field: &str, message: impl Into<String>) -> Response {
    invalid(vec![(field.to_owned(), message.into())])
}

/// 422 `{code, reason}`: a business error (insufficient credit, stock…).
pub fn business(code: i64, reason: &str) -> Response {
    json(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"code": code, "reason": reason}),
    )
}

pub fn not_found() -> Response {
    json(
        StatusCode::NOT_FOUND,
        json!({"data": [], "meta": {"message": "messages.resource_not_found"}}),
    )
}

pub fn unauthorized(message: &str) -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({"data": [], "meta": {"message": message}}),
    )
}

/// A request body as a JSON object: JSON, or form-urlencoded (`key[]=a&key[]=b` becomes an
/// array), since Airalo's SDKs send either whatever its pages say. Anything unreadable is an
/// empty object, so validation then names the missing fields, as Laravel does.
pub fn body(headers: &HeaderMap, bytes: &[u8]) -> Map<String, Value> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return match serde_json::from_slice(bytes) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).unwrap_or_default();
    let mut map = Map::new();
    for (key, value) in pairs {
        match key.strip_suffix("[]") {
            Some(key) => {
                let entry = map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = entry {
                    items.push(Value::String(value));
                }
            }
            None => {
                map.insert(key, Value::String(value));
            }
        }
    }
    map
}

/// The query string's pairs, in order.
pub fn query(raw: Option<&str>) -> Vec<(String, String)> {
    raw.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default()
}

/// The first value of `key` in a query; an empty value counts as absent, as in Laravel.
pub fn param<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// A `Y-m-d - Y-m-d` range filter (one date alone is a one-day range).
pub fn date_range(value: Option<&str>, field: &str) -> Result<Option<(NaiveDate, NaiveDate)>, Response> {
    let Some(value) = value else { return Ok(None) };
    let date = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
    let range = match value.split_once(" - ") {
        Some((from, to)) => date(from).zip(date(to)),
        None => date(value).map(|day| (day, day)),
    };
    range
        .map(Some)
        .ok_or_else(|| invalid_field(field, format!("The {field} does not match the format Y-m-d - Y-m-d.")))
}

/// Laravel-style validation of one request: collects every field's message, then answers
/// 422 with all of them at once.
pub struct Fields<'a> {
    input: &'a Map<String, Value>,
    prefix: String,
    pub errors: Vec<(String, String)>,
}

/// "package_id" → "package id", as Laravel names fields in its messages.
fn label(field: &str) -> String {
    field.replace('_', " ")
}

impl<'a> Fields<'a> {
    pub fn new(input: &'a Map<String, Value>) -> Self {
        Self::nested(input, "")
    }

    /// Validation of an array item: its keys are reported as `vouchers.0.package_id`.
    pub fn nested(input: &'a Map<String, Value>, prefix: &str) -> Self {
        Fields {
            input,
            prefix: prefix.to_owned(),
            errors: Vec::new(),
        }
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push((format!("{}{field}", self.prefix), message.into()));
    }

    fn present(&mut self, field: &str, required: bool) -> Option<&'a Value> {
        match self.input.get(field) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(field, format!("The {} field is required.", label(field)));
                }
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                if required {
                    self.fail(field, format!("The {} field is required.", label(field)));
                }
                None
            }
            Some(value) => Some(value),
        }
    }

    pub fn string(&mut self, field: &str, required: bool) -> Option<String> {
        match self.present(field, required)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.fail(field, format!("The {} must be a string.", label(field)));
                None
            }
        }
    }

    /// A string that must be one of `allowed`.
    pub fn one_of(&mut self, field: &str, required: bool, allowed: &[&str]) -> Option<String> {
        let value = self.string(field, required)?;
        if allowed.contains(&value.as_str()) {
            return Some(value);
        }
        self.fail(field, format!("The selected {} is invalid.", label(field)));
        None
    }

    /// An integer (a JSON number or a numeric string, as form bodies send) within `range`.
    pub fn integer(&mut self, field: &str, required: bool, range: RangeInclusive<i64>) -> Option<i64> {
        let value = match self.present(field, required)? {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        let Some(value) = value else {
            self.fail(field, format!("The {} must be an integer.", label(field)));
            return None;
        };
        if value < *range.start() {
            self.fail(
                field,
                format!("The {} must be at least {}.", label(field), range.start()),
            );
            None
        } else if value > *range.end() {
            let max = range.end();
            self.fail(field, format!("The {} may not be greater than {max}.", label(field)));
            None
        } else {
            Some(value)
        }
    }

    /// An array of strings.
    pub fn strings(&mut self, field: &str, required: bool) -> Option<Vec<String>> {
        match self.present(field, required)? {
            Value::Array(items) => {
                let strings: Vec<String> = items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
                if strings.len() == items.len() {
                    return Some(strings);
                }
                self.fail(field, format!("Every {} must be a string.", label(field)));
                None
            }
            _ => {
                self.fail(field, format!("The {} must be an array.", label(field)));
                None
            }
        }
    }

    /// 422 with every message collected so far, if any.
    pub fn check(&mut self) -> Result<(), Response> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(invalid(std::mem::take(&mut self.errors)))
        }
    }
}

/// `limit` and `page` of a paginated list: `limit` `None` means everything on one page.
pub fn page_params(query: &[(String, String)], default_limit: Option<u64>) -> Result<(Option<u64>, u64), Response> {
    let mut fields = Vec::new();
    let mut number = |key: &str| match param(query, key).map(str::parse::<i64>) {
        None => None,
        Some(Ok(n)) if n >= 1 => Some(n as u64),
        Some(Ok(_)) => {
            fields.push((key.to_owned(), format!("The {key} must be at least 1.")));
            None
        }
        Some(Err(_)) => {
            fields.push((key.to_owned(), format!("The {key} must be an integer.")));
            None
        }
    };
    let limit = number("limit").or(default_limit);
    let page = number("page").unwrap_or(1);
    if fields.is_empty() {
        Ok((limit, page))
    } else {
        Err(invalid(fields))
    }
}

/// One page of `total` items: the index range to show, and Laravel's `links` and `meta`.
/// `url` is the list's absolute URL; the links repeat the request's query with another page.
pub fn paginate(
    total: usize,
    (limit, page): (Option<u64>, u64),
    url: &str,
    query: &[(String, String)],
) -> (std::ops::Range<usize>, Value, Value) {
    let total = total as u64;
    let per_page = limit.unwrap_or(total).max(1);
    let last_page = total.div_ceil(per_page).max(1);
    let start = (page - 1).saturating_mul(per_page).min(total);
    let end = start.saturating_add(per_page).min(total);
    let link = |n: u64| crate::http::page_link(url, query, n);
    let links = json!({
        "first": link(1),
        "last": link(last_page),
        "prev": (page > 1).then(|| link(page.min(last_page + 1) - 1)),
        "next": (page < last_page).then(|| link(page + 1)),
    });
    let meta = json!({
        "message": "success",
        "current_page": page,
        "from": (start < end).then_some(start + 1),
        "last_page": last_page,
        "path": url,
        "per_page": per_page,
        "to": (start < end).then_some(end),
        "total": total,
    });
    (start as usize..end as usize, links, meta)
}

/// Percent-encodes everything but RFC 3986's unreserved characters (for URLs carrying an
/// LPA string, whose `$` and `:` must not be read as URL syntax).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// US cents as the decimal amount Airalo sends (`450` → `4.5`, `800` → `8`: whole amounts
/// are integers in its examples, and the official SDKs' signature helpers, which re-encode a
/// webhook before hashing it, cannot reproduce a `8.0`).
pub fn usd(cents: i64) -> Value {
    if cents % 100 == 0 {
        json!(cents / 100)
    } else {
        json!(cents as f64 / 100.0)
    }
}
