//! Pure types and rules of TapRain: no HTTP, no SQL, compiled for the server and the browser.
//! Every type here is parsed once at the edge (`parse() -> Result`) and trusted afterwards.

pub mod audit;
pub mod catalog;
pub mod cents;
pub mod click;
pub mod client_addr;
pub mod conversion;
pub mod country;
pub mod cpa;
pub mod currency;
pub mod decimal;
pub mod delivery;
pub mod delivery_log;
pub mod email;
pub mod health;
pub mod ids;
pub mod ip_class;
pub mod ip_rule;
pub mod label;
pub mod money;
pub mod offer;
pub mod offerwall;
pub mod page;
pub mod partners;
pub mod postback_template;
pub mod program;
pub mod provider;
pub mod quality;
pub mod replay;
pub mod report;
pub mod retry;
pub mod reward;
pub mod role;
pub mod secrets;
pub mod share;
pub mod signature;
pub mod stats;
pub mod wall_language;
pub mod when;

pub use email::Email;
pub use ids::PublisherId;
pub use ip_rule::IpRule;
pub use role::Role;
