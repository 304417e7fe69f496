//! BillingService: registered for discovery; its RPCs come with the billing work.

use portal_proto::pb;

pub struct Billing;

impl pb::billing_service_server::BillingService for Billing {}
