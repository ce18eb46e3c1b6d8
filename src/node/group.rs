//! `group`: local groups from `/etc/group`, parsed as the passwd file is.

use super::source::Sources;
use super::{Collected, user};

/// Collects the local groups.
pub(super) fn collect(src: &Sources) -> Collected {
    user::collect_file(src, "/etc/group")
}
