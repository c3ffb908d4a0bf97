//! Authentication: the ticket lifecycle (login, renewal, re-login, single flight), two-factor
//! login through a caller-supplied provider, and API token headers.

mod session;
mod tfa;
mod ticket;

pub(crate) use session::{login_with_password, AuthHeaders, Authenticator};
pub use tfa::{OneTimeCode, TfaProvider, TfaResponse};
pub use ticket::{SessionTicket, MAX_TICKET_AGE};
