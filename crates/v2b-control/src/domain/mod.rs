//! The domain: the site (chargers, tariff, curve: [`SiteConfig`](crate::SiteConfig)), charging
//! sessions and their loader, the building load, the site's [`History`](crate::History), and a
//! recorded or synthetic episode ([`Scenario`](crate::Scenario)). Data only: nothing here
//! decides or simulates.

pub(crate) mod acn_json;
pub(crate) mod building;
pub(crate) mod clock;
pub(crate) mod config;
pub(crate) mod csv;
pub(crate) mod dr;
pub(crate) mod history;
pub(crate) mod meter;
pub(crate) mod openv2b;
pub(crate) mod ranges;
pub(crate) mod scenario;
pub(crate) mod sessions;
pub(crate) mod site;
pub(crate) mod stress;
pub(crate) mod synthetic;
pub(crate) mod tariff;
pub(crate) mod tariff_window;
pub(crate) mod time;
