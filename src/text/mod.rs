//! Text as a reader sees it: HTML turned into text, then folded into one comparable form.

pub mod decode;
pub mod digits;
pub mod html;
pub mod normalize;
pub(crate) mod swar;
pub mod url;

pub use decode::{decode_text, is_html_name};
pub use html::{html_to_text, html_to_text_and_aside, Aside};
pub use normalize::{normalize, Normalized};
