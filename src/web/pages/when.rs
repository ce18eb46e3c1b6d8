//! Moments as the pages show them, one way everywhere: a readable time and how long ago it
//! was (`2026-12-07 16:19:43 UTC · 12 s ago`), the exact time on hover, in a `<time>` that
//! `vmyard.js` shows in the reader's own time zone. Never RFC 3339 with nanoseconds.

use jiff::Timestamp;

/// A moment, as markup the templates print as it is (its text is escaped when it is made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When(pub String);

impl std::fmt::Display for When {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

// Made only by this module, from a timestamp or from escaped text.
impl askama::filters::HtmlSafe for When {}

/// `t` as the pages show it, its age counted from now.
pub fn when(t: Timestamp) -> When {
    when_at(t, Timestamp::now())
}

/// A moment the store keeps as RFC 3339 text (a provider's state); text that is not one is
/// shown as it is.
pub fn when_text(text: &str) -> When {
    match text.parse::<Timestamp>() {
        Ok(t) => when(t),
        Err(_) => When(escape(text)),
    }
}

fn when_at(t: Timestamp, now: Timestamp) -> When {
    let age = age(t, now);
    When(format!(
        "<time datetime=\"{}\" title=\"{}\" data-age=\"{age}\">{} · {age}</time>",
        t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        t.strftime("%Y-%m-%d %H:%M:%S%.3f UTC"),
        t.strftime("%Y-%m-%d %H:%M:%S UTC"),
    ))
}

/// How long ago `t` was, in the largest unit that fits: `12 s ago`, `5 min ago`, `3 h ago`,
/// `2 d ago`; a moment to come is `in 5 min`.
fn age(t: Timestamp, now: Timestamp) -> String {
    let secs = now.as_second() - t.as_second();
    let n = secs.unsigned_abs();
    let span = match n {
        0..60 => format!("{n} s"),
        60..3600 => format!("{} min", n / 60),
        3600..86_400 => format!("{} h", n / 3600),
        _ => format!("{} d", n / 86_400),
    };
    if secs >= 0 {
        format!("{span} ago")
    } else {
        format!("in {span}")
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_reads_with_its_age_and_keeps_the_exact_time() {
        let now: Timestamp = "2026-12-07T16:20:00Z".parse().unwrap();
        let t: Timestamp = "2026-12-07T16:19:43.175251032Z".parse().unwrap();
        let html = when_at(t, now).0;
        assert_eq!(
            html,
            "<time datetime=\"2026-12-07T16:19:43Z\" title=\"2026-12-07 16:19:43.175 UTC\" data-age=\"17 s ago\">2026-12-07 16:19:43 UTC · 17 s ago</time>"
        );
        assert!(!html.contains("175251032"), "no nanoseconds");
        let hours: Timestamp = "2026-12-07T13:00:00Z".parse().unwrap();
        assert_eq!(age(hours, now), "3 h ago");
        let later: Timestamp = "2026-12-07T16:25:00Z".parse().unwrap();
        assert_eq!(age(later, now), "in 5 min");
        assert_eq!(when_text("<b>").0, "&lt;b&gt;");
    }
}
