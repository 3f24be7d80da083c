//! Text as a reader sees it: HTML turned into text, then folded into one comparable form.

pub mod html;
pub mod normalize;

pub use html::html_to_text;
pub use normalize::{normalize, Normalized};
