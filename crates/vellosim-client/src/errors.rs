//! Vellosim's error body, read the way callers need it.

use crate::types::{ErrorBody, ErrorCode, ErrorField};

/// Every failure of a Vellosim call; `Api` carries the documented [`ErrorBody`].
pub type Error = provider_core::Error<ErrorBody>;

impl ErrorBody {
    /// The documented error code; `None` for the bare-string form of the 401.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self.error.as_ref()? {
            ErrorField::ErrorDetail(detail) => detail.code.as_ref(),
            ErrorField::String(_) => None,
        }
    }

    /// The human-readable message, wherever this form of the body put it.
    pub fn message(&self) -> Option<&str> {
        match self.error.as_ref() {
            Some(ErrorField::ErrorDetail(detail)) if detail.message.is_some() => detail.message.as_deref(),
            _ => self.message.as_deref(),
        }
    }
}
