//! Building blocks shared by pages.

pub mod bar_chart;
pub mod confirm_button;
pub mod copy_button;
pub mod data_table;
pub mod delivery_log;
pub mod field_message;
pub mod form_field;
pub mod key_list;
pub mod layout;
pub mod live_badge;
pub mod live_events;
pub mod overlap_select;
pub mod paged_list;
pub mod pager;
pub mod secret_once;
pub mod stat_card;
pub mod status;

pub use bar_chart::{Bar, BarChart};
pub use confirm_button::ConfirmButton;
pub use copy_button::CopyButton;
pub use data_table::{ActiveFilter, DataTable, EmptyList, SearchBox};
pub use field_message::FieldMessage;
pub use form_field::{FieldError, FormAlert};
pub use key_list::{KeyList, RotateControl};
pub use layout::{NavItem, Shell};
pub use live_badge::LiveBadge;
pub use overlap_select::OverlapSelect;
pub use paged_list::{ListSearch, Pager};
pub use pager::PageSteps;
pub use secret_once::SecretOnce;
pub use stat_card::StatCard;
pub use status::StatusBadge;
