//! The admin dashboard: one module per screen, each in the admin's [`AdminPage`] shell.

mod admin_tokens;
mod audit;
mod conversion;
mod deliveries;
mod entity_detail;
mod feed;
mod network;
mod networks;
mod offers;
mod offerwall;
mod offerwalls;
mod overview;
mod program;
mod programs;
mod provider;
mod providers;
mod publisher;
mod publishers;
mod reports;
mod reward;
mod reward_user;
mod secrets;

pub use audit::AdminAuditPage;
pub use conversion::AdminConversionPage;
pub use deliveries::AdminDeliveriesPage;
pub use feed::AdminFeedPage;
pub use network::AdminNetworkPage;
pub use networks::AdminNetworksPage;
pub use offers::AdminOffersPage;
pub use offerwall::AdminOfferwallPage;
pub use offerwalls::AdminOfferwallsPage;
pub use overview::AdminDashboard;
pub use program::AdminProgramPage;
pub use programs::AdminProgramsPage;
pub use provider::AdminProviderPage;
pub use providers::AdminProvidersPage;
pub use publisher::AdminPublisherPage;
pub use publishers::AdminPublishersPage;
pub use reports::AdminReportsPage;
pub use reward::AdminRewardPage;
pub use reward_user::AdminRewardUserPage;
pub use secrets::AdminSecretsPage;

pub use crate::pages::role_page::AdminPage;
