//! Small bar charts drawn as server-rendered SVG: no chart library runs in the browser,
//! and colours come from the stylesheet's classes (the content-security policy allows no
//! inline styles).

/// One bar of a horizontal bar chart, with its geometry worked out.
#[derive(Debug, Clone)]
pub struct Bar {
    /// What it counts.
    pub label: String,
    /// The count.
    pub value: usize,
    /// Its colour class: `ready`, `warning`, `critical`, `info`, `pending`.
    pub class: &'static str,
    /// Where it links (a filtered list), if anywhere.
    pub href: Option<String>,
    /// Its top, in SVG units.
    pub y: usize,
    /// Its length, in SVG units (0 to [`WIDTH`]).
    pub width: usize,
}

/// The drawing width of the longest bar.
pub const WIDTH: usize = 240;
/// The height of one row.
pub const ROW: usize = 26;

/// A chart of bars scaled to the largest value.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Its title (also the SVG's accessible name).
    pub title: String,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
    /// The SVG height.
    pub height: usize,
}

impl Chart {
    /// Lays out `(label, value, class, link)` rows.
    pub fn new(
        title: impl Into<String>,
        rows: Vec<(String, usize, &'static str, Option<String>)>,
    ) -> Chart {
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
        let bars: Vec<Bar> = rows
            .into_iter()
            .enumerate()
            .map(|(i, (label, value, class, href))| Bar {
                width: if value == 0 {
                    0
                } else {
                    (value * WIDTH).div_ceil(max).max(2)
                },
                y: i * ROW,
                label,
                value,
                class,
                href,
            })
            .collect();
        Chart {
            title: title.into(),
            height: bars.len() * ROW,
            bars,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest() {
        let c = Chart::new(
            "t",
            vec![
                ("a".into(), 10, "ready", None),
                ("b".into(), 5, "warning", None),
                ("c".into(), 0, "critical", None),
            ],
        );
        let w: Vec<usize> = c.bars.iter().map(|b| b.width).collect();
        assert_eq!(w, [WIDTH, WIDTH / 2, 0]);
        assert_eq!(c.bars[2].y, 2 * ROW);
        assert_eq!(c.height, 3 * ROW);
        let empty = Chart::new("t", vec![("a".into(), 0, "ready", None)]);
        assert_eq!(empty.bars[0].width, 0);
    }
}
