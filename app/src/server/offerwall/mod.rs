//! The end user's side (seed 000 "Offerwall Embed", SPEC B): the offers catalog, publishers'
//! offerwalls, the page a wall shows, and click links.

pub mod cache;
pub mod offers;
pub mod page;
pub mod walls;

pub use cache::OfferwallCache;
