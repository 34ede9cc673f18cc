//! PressOne, with the same streams and bulk calls as Airalo (its API and types are Airalo's).

pub use pressone_client::*;

pub use crate::airalo_shaped::PackageQuery;

crate::airalo_shaped::airalo_shaped!(iccid);
