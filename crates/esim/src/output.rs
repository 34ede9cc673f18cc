//! What the CLI prints: each response as JSON (or a table) on stdout, failures on stderr.
//! Every generated `CliConfig` is implemented for a [`Printer`] (the xtask emits that impl
//! beside the generated subcommands); [`Output`] prints, [`Capture`] keeps a page for `--all`.

use std::cell::{Cell, RefCell};

use serde::Serialize;
use serde_json::Value;

use crate::table;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Table,
}

pub struct Output {
    format: Format,
    /// `--columns`: the table's columns, when chosen.
    columns: Option<Vec<String>>,
    /// Whether a failure has been printed already (the generated code reports API errors
    /// through `error` and then returns them).
    reported: Cell<bool>,
}

impl Output {
    pub fn new(format: Format, columns: Option<Vec<String>>) -> Output {
        Output {
            format,
            columns,
            reported: Cell::new(false),
        }
    }

    pub fn print(&self, value: &Value) {
        match self.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(value).expect("a Value serializes")),
            Format::Table => println!("{}", table::render(value, self.columns.as_deref())),
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn reported(&self) -> bool {
        self.reported.get()
    }

    /// The response as JSON, or `None` after saying why it cannot be shown.
    fn json(&self, value: &impl Serialize) -> Option<Value> {
        match serde_json::to_value(value) {
            Ok(value) => Some(value),
            Err(err) => {
                self.reported.set(true);
                eprintln!("error: the decoded response could not be shown as JSON: {err}");
                None
            }
        }
    }
}

/// What the generated subcommands report to: a success with or without a body, or a failure.
pub trait Printer {
    fn success(&self, value: &impl Serialize);

    fn success_without_body(&self, status: reqwest::StatusCode) {
        eprintln!("done (HTTP {status})");
    }

    fn failure<T: Serialize + std::fmt::Debug>(&self, err: &progenitor_client::Error<T>);
}

impl Printer for Output {
    fn success(&self, value: &impl Serialize) {
        if let Some(value) = self.json(value) {
            self.print(&value);
        }
    }

    fn failure<T: Serialize + std::fmt::Debug>(&self, err: &progenitor_client::Error<T>) {
        self.reported.set(true);
        match err {
            progenitor_client::Error::ErrorResponse(response) => {
                let retry = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(|v| format!(" (Retry-After: {v})"))
                    .unwrap_or_default();
                let status = provider_clients::core::provider_status(response.status(), response.headers());
                eprintln!("error: HTTP {status}{retry}");
                match serde_json::to_string_pretty(response.as_ref()) {
                    Ok(body) => eprintln!("{body}"),
                    Err(err) => eprintln!("(the error body could not be shown: {err})"),
                }
            }
            progenitor_client::Error::InvalidResponsePayload(bytes, err) => {
                let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(2000)]);
                eprintln!("error: the response does not match the spec: {err}\n{shown}");
            }
            progenitor_client::Error::UnexpectedResponse(response) => {
                eprintln!(
                    "error: HTTP {} is not a status the spec documents for this operation",
                    response.status()
                );
            }
            // progenitor's Display would add "Error: " to what the hooks said (a token refused).
            progenitor_client::Error::Custom(message) => eprintln!("error: {message}"),
            other => eprintln!("error: {other}"),
        }
    }
}

/// Keeps the one response of a page `--all` fetches instead of printing it; failures are
/// printed as usual.
pub struct Capture<'o> {
    out: &'o Output,
    page: RefCell<Option<Value>>,
}

impl<'o> Capture<'o> {
    pub fn new(out: &'o Output) -> Self {
        Capture {
            out,
            page: RefCell::new(None),
        }
    }

    /// The captured page (`null` when the response had no body).
    pub fn into_page(self) -> Value {
        self.page.into_inner().unwrap_or(Value::Null)
    }
}

impl Printer for Capture<'_> {
    fn success(&self, value: &impl Serialize) {
        *self.page.borrow_mut() = self.out.json(value);
    }

    fn failure<T: Serialize + std::fmt::Debug>(&self, err: &progenitor_client::Error<T>) {
        self.out.failure(err);
    }
}
