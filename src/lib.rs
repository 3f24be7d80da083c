pub mod address;
pub mod error;
pub mod matcher;
pub mod policy;
pub mod protected;
pub mod text;
pub use error::{Error, Result};
pub use policy::{Limits, Policy, PolicyBuilder};
pub use protected::{Identifier, Kind, ProtectedList, Record};
