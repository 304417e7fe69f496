//! Data that fills a store, apart from the running server: `seed` (a new
//! store for `init`, and the catalog and SLA files every store starts
//! from), `demo` (the demo data set and `portal --demo`'s embedded server),
//! `synthetic` (large stores for benchmarks, `gen`) and `rows` (the bulk
//! inserts they all write with). Nothing in the running server imports
//! from here.

pub mod demo;
pub mod rows;
pub mod seed;
pub mod synthetic;
