//! The veloconnect simulation (to be written).

use std::sync::Arc;

use crate::Shared;

pub(crate) fn router(_shared: Arc<Shared>) -> axum::Router {
    axum::Router::new()
}
