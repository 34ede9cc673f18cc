//! What the CLI prints, as the generated subcommands' `CliConfig`: each response as JSON
//! (or a table) on stdout, failures on stderr. While `--all` walks a listing, pages are
//! captured here instead of printed, and the next page's position is put on each request.

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
    /// `(page or offset, limit)` for the next request while a listing is walked.
    cursor: Cell<Option<(i64, i64)>>,
    /// The last page's body while a listing is walked (nothing is printed meanwhile).
    captured: RefCell<Option<Value>>,
    /// Whether a failure has been printed already (the generated code reports API errors
    /// through `error` and then returns them).
    reported: Cell<bool>,
}

impl Output {
    pub fn new(format: Format, columns: Option<Vec<String>>) -> Output {
        Output {
            format,
            columns,
            cursor: Cell::new(None),
            captured: RefCell::new(None),
            reported: Cell::new(false),
        }
    }

    pub fn print(&self, value: &Value) {
        match self.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(value).expect("a Value serializes")),
            Format::Table => println!("{}", table::render(value, self.columns.as_deref())),
        }
    }

    pub fn reported(&self) -> bool {
        self.reported.get()
    }

    /// Starts walking a listing: responses are kept for [`Output::take_page`].
    pub fn set_cursor(&self, cursor: (i64, i64)) {
        self.cursor.set(Some(cursor));
    }

    pub fn take_page(&self) -> Option<Value> {
        self.captured.borrow_mut().take()
    }

    fn walking(&self) -> bool {
        self.cursor.get().is_some()
    }

    fn success(&self, value: &impl Serialize) {
        let value = match serde_json::to_value(value) {
            Ok(value) => value,
            Err(err) => {
                self.reported.set(true);
                eprintln!("error: the decoded response could not be shown as JSON: {err}");
                return;
            }
        };
        if self.walking() {
            *self.captured.borrow_mut() = Some(value);
        } else {
            self.print(&value);
        }
    }

    fn success_without_body(&self, status: reqwest::StatusCode) {
        eprintln!("done (HTTP {status})");
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
                eprintln!("error: HTTP {}{retry}", response.status());
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
            other => eprintln!("error: {other}"),
        }
    }
}

/// The `CliConfig` methods every provider's trait has.
macro_rules! cli_config {
    ($provider:ident { $($hooks:tt)* }) => {
        impl crate::generated::$provider::CliConfig for &Output {
            fn success_item<T>(&self, value: &progenitor_client::ResponseValue<T>)
            where
                T: serde::Serialize + std::fmt::Debug,
            {
                self.success(value.as_ref());
            }

            fn success_no_item(&self, value: &progenitor_client::ResponseValue<()>) {
                self.success_without_body(value.status());
            }

            fn error<T>(&self, value: &progenitor_client::Error<T>)
            where
                T: serde::Serialize + std::fmt::Debug,
            {
                self.failure(value);
            }

            // progenitor calls the list_* methods only for dropshot-style paginated
            // operations, which none of the providers have; `--all` walks pages instead.
            fn list_start<T>(&self) where T: serde::Serialize + std::fmt::Debug {}
            fn list_item<T>(&self, value: &T) where T: serde::Serialize + std::fmt::Debug {
                self.success(value);
            }
            fn list_end_success<T>(&self) where T: serde::Serialize + std::fmt::Debug {}
            fn list_end_error<T>(&self, value: &progenitor_client::Error<T>)
            where
                T: serde::Serialize + std::fmt::Debug,
            {
                self.failure(value);
            }

            $($hooks)*
        }
    };
}

/// A hook that puts the walked listing's position on the request: `page`/`offset`, `limit`.
macro_rules! paged {
    ($hook:ident, $builder:ty, $position:ident) => {
        fn $hook(&self, _: &clap::ArgMatches, request: &mut $builder) -> anyhow::Result<()> {
            if let Some((position, limit)) = self.cursor.get() {
                *request = request.clone().$position(position).limit(limit);
            }
            Ok(())
        }
    };
}

cli_config!(airalo {
    paged!(execute_get_packages, airalo_client::builder::GetPackages<'_>, page);
    paged!(execute_get_order_list, airalo_client::builder::GetOrderList<'_>, page);
    paged!(execute_get_esims_list, airalo_client::builder::GetEsimsList<'_>, page);
    paged!(execute_get_future_orders, airalo_client::builder::GetFutureOrders<'_>, page);
});

cli_config!(pressone {
    paged!(execute_get_packages, pressone_client::builder::GetPackages<'_>, page);
    paged!(execute_get_order_list, pressone_client::builder::GetOrderList<'_>, page);
    paged!(execute_get_esims_list, pressone_client::builder::GetEsimsList<'_>, page);
});

cli_config!(vellosim {
    paged!(execute_get_my_esims, vellosim_client::builder::GetMyEsims<'_>, page);
});

cli_config!(veloconnect {
    paged!(execute_get_all_plans, veloconnect_client::builder::GetAllPlans<'_>, offset);
    paged!(execute_get_all_esims, veloconnect_client::builder::GetAllEsims<'_>, offset);
    paged!(execute_get_esim_top_up_plans, veloconnect_client::builder::GetEsimTopUpPlans<'_>, offset);
});
