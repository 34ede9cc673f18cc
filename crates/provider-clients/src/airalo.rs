//! Airalo: its client, the flat package catalogue, finding an order by its description, and
//! bulk orders and usage lookups. Each listing streams from its builder:
//! `client.get_esims_list().stream(100)`.

pub use airalo_client::*;

pub use crate::airalo_shaped::flat_packages;

crate::airalo_shaped::airalo_shaped!(sim_iccid);
