//! What every source's contract answer tells the log: its status, its message, and the outcome
//! word the postback log and its filters use.

use super::log::NewLogEntry;

pub trait ContractAnswer {
    /// The HTTP status the contract gives this answer.
    fn status(&self) -> u16;
    /// The message the contract gives it (and the log's reason for a refusal).
    fn message(&self) -> String;
    /// `ok`, `duplicate`, `unauthorized`, `forbidden`, `bad_request`, `not_found`, …
    fn outcome(&self) -> &'static str;

    /// Writes this (refusing) answer into the call's log entry.
    fn refuse(&self, log: &mut NewLogEntry) {
        log.http_status = self.status();
        log.outcome = self.outcome();
        log.reason = self.message();
    }
}
