//! Building blocks shared by pages.

pub mod bar_chart;
pub mod confirm;
pub mod copy_button;
pub mod data_table;
pub mod delivery_log;
pub mod form_field;
pub mod layout;
pub mod live_badge;
pub mod live_events;
pub mod pager;
pub mod stat_card;
pub mod status;

pub use bar_chart::{Bar, BarChart};
pub use confirm::ConfirmButton;
pub use copy_button::CopyButton;
pub use data_table::{ActiveFilter, DataTable, EmptyList, SearchBox};
pub use form_field::{FieldError, FormAlert};
pub use layout::{NavItem, Shell};
pub use live_badge::LiveBadge;
pub use pager::Pager;
pub use stat_card::StatCard;
pub use status::StatusBadge;
