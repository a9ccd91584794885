//! The ingest engine: every inbound source — CPA postbacks ([`cpa`]), reward level postbacks
//! ([`reward`]), the conversions API ([`conversions_api`]), offerwall providers' postbacks
//! ([`provider`]) and offerwall clicks ([`clicks`]) — runs through the same pipeline:
//!
//! ```text
//! door (src/ingest/<source>.rs) → <source>/receive.rs: parse, authenticate, decide (cached reads)
//!     → writer.submit::<Source>(item) → <source>/record.rs: set-based write in the batch's one
//!       transaction → commit → reply (a 200 means committed) → events, deliveries woken
//! ```
//!
//! Shared pieces: [`writer`] (the single writer and the [`Source`](writer::Source) trait),
//! [`store`] (the write-store interface: rusqlite on SQLite, native `PgPool` on PostgreSQL),
//! [`log`] (the postback log), [`refused`] (refused calls), [`events`] (the live feed),
//! [`directory`] (cached keys, secrets, publishers), [`quality`] (silent checks),
//! [`conversion`] (the one draft constructor and the conversion rows), [`credit`] (ledger
//! entries and the deliveries they queue), [`answer`] (what a contract answer tells the log),
//! [`dry_run`] (a source's write run and rolled back), [`replay`] (a logged call re-run as a dry run).
//!
//! # Adding a source
//! 1. Make a folder `ingest/<name>/` with `mod.rs` (its `SOURCE` name and `//!` contract),
//!    `receive.rs` and `record.rs`.
//! 2. `receive.rs`: an answer enum implementing [`answer::ContractAnswer`]; a `receive` function
//!    that starts a [`log::NewLogEntry`], decides with cached reads ([`directory`]), and either
//!    submits the accepted item or logs the refusal with [`refused::log_refused`].
//! 3. `record.rs`: a unit struct implementing [`writer::Source`] whose `write` takes the whole
//!    run of items and writes them with [`store::WriteTx`] set-wise (conversions through
//!    [`conversion::insert`], money through [`credit`], the log through [`log::insert`]);
//!    `committed` publishes events.
//! 4. A thin door in `src/ingest/<name>.rs` and its route in `src/ingest/mod.rs`.
//! 5. Keep the decision after authentication in its own function (`judge`), so `receive::replay`
//!    can rebuild a call from its log entry, judge it again and [`dry_run::write`] its write;
//!    then name the source in [`replay::replay`].
//!
//! Nothing shared lists the sources: the writer groups a batch by the items' `Source` type.

pub mod answer;
pub mod clicks;
pub mod conversion;
pub mod conversions_api;
pub mod cpa;
pub mod credit;
pub mod directory;
pub mod dry_run;
pub mod events;
pub mod log;
pub mod provider;
pub mod quality;
pub mod refused;
pub mod replay;
pub mod review;
pub mod reward;
pub mod start;
pub mod store;
pub mod writer;

pub use directory::Directory;
pub use events::{ConversionEvent, EventBus};
pub use writer::Writer;
