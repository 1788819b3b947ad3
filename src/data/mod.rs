//! Data: loading (the only place polars is used), the data contract, the split.
pub mod contract;
pub mod load;
pub mod parts;
pub mod shape;
pub mod split;
pub mod table;

pub use table::{Column, DType, Table, Twins, Values, NULL_CODE};
