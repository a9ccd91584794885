//! Building blocks shared by pages.

pub mod bar_chart;
pub mod copy_button;
pub mod csv_export;
pub mod delivery_log;
pub mod layout;
pub mod live_badge;
pub mod live_events;
pub mod report_filters;
pub mod report_table;
pub mod stat_card;
pub mod status;

pub use bar_chart::{Bar, BarChart};
pub use copy_button::CopyButton;
pub use csv_export::CsvExport;
pub use layout::{NavItem, Shell};
pub use live_badge::LiveBadge;
pub use report_table::ReportTable;
pub use stat_card::StatCard;
pub use status::StatusBadge;
