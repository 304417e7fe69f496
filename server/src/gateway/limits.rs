//! How many SSH connections are open, in total and per address. A
//! connection holds its `Admission` while it lives; one beyond a limit is
//! told why and let go after sign-in fails.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

pub struct Limits {
    total: usize,
    per_address: usize,
    open: Arc<Mutex<Open>>,
}

#[derive(Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// One admitted connection; counted until dropped.
pub struct Admission {
    open: Arc<Mutex<Open>>,
    address: Option<IpAddr>,
}

impl Limits {
    pub fn new(total: usize, per_address: usize) -> Self {
        Self {
            total,
            per_address,
            open: Arc::default(),
        }
    }

    /// Admits a connection from `address`, or says which limit it is over.
    pub fn admit(&self, address: Option<IpAddr>) -> Result<Admission, &'static str> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if open.total >= self.total {
            return Err(
                "The portal has as many SSH sessions open as it serves; try again in a minute.",
            );
        }
        if let Some(addr) = address {
            let count = open.by_address.entry(addr).or_default();
            if *count >= self.per_address {
                return Err(
                    "Your address has as many SSH sessions open as one address may; close one first.",
                );
            }
            *count += 1;
        }
        open.total += 1;
        Ok(Admission {
            open: self.open.clone(),
            address,
        })
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        open.total -= 1;
        if let Some(addr) = self.address
            && let Some(count) = open.by_address.get_mut(&addr)
        {
            *count -= 1;
            if *count == 0 {
                open.by_address.remove(&addr);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Limits;

    #[test]
    fn limits_count_per_address_and_in_total_until_dropped() {
        let limits = Limits::new(3, 2);
        let a = Some("10.0.0.1".parse().unwrap());
        let b = Some("10.0.0.2".parse().unwrap());
        let first = limits.admit(a).unwrap();
        let _second = limits.admit(a).unwrap();
        assert!(limits.admit(a).is_err(), "a third from one address");
        let _third = limits.admit(b).unwrap();
        assert!(limits.admit(b).is_err(), "a fourth in total");
        drop(first);
        assert!(limits.admit(a).is_ok());
    }
}
