//! Large synthetic stores for benchmarks.

use crate::store::Store;

pub struct GenSpec {
    pub companies: u32,
    pub contacts_per_company: u32,
    pub tickets: u64,
}

pub fn generate(_store: &Store, _spec: &GenSpec) -> anyhow::Result<()> {
    anyhow::bail!("gen is not built yet")
}
