//! Building blocks shared by pages.

pub mod layout;
pub mod live_badge;
pub mod stat_card;

pub use layout::{NavItem, Shell};
pub use live_badge::LiveBadge;
pub use stat_card::StatCard;
