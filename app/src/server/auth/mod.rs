//! Authentication: password hashing, sign-in throttling, the typed session and admin tokens.

pub mod password;
pub mod session;
pub mod throttle;
pub mod tokens;

pub use session::{AuthSession, SessionUser};
pub use throttle::LoginThrottle;
