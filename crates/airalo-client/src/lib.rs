//! Typed client for Airalo's Partner API v2 (work in progress: the spec lands next).

pub mod signature;
