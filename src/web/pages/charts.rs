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

/// Columns over days, each stacked from series (ready at the bottom, then warnings,
/// blocked, error): a trend, drawn to fit its box at any width.
#[derive(Debug, Clone)]
pub struct Trend {
    /// Its title (also the SVG's accessible name).
    pub title: String,
    /// One column per day with a count, oldest first.
    pub columns: Vec<Column>,
    /// The largest total, the top of the scale.
    pub max: usize,
    /// The first and last day shown, as labels under the axis.
    pub span: (String, String),
}

/// One day's column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its left edge, in SVG units.
    pub x: usize,
    /// Its width.
    pub width: usize,
    /// What it says on hover: the day and each count.
    pub tip: String,
    /// Its stacked parts, bottom first.
    pub parts: Vec<Part>,
}

/// One stacked part of a column.
#[derive(Debug, Clone)]
pub struct Part {
    /// Its top, in SVG units.
    pub y: usize,
    /// Its height.
    pub height: usize,
    /// Its colour class.
    pub class: &'static str,
}

/// The first day (UTC) of a window of `days` days that ends today, as the trends count
/// them.
pub fn window_start(days: u32) -> jiff::civil::Date {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    today
        .checked_sub(jiff::Span::new().days(i64::from(days.max(1)) - 1))
        .unwrap_or(today)
}

/// One series of a trend's day: its label, its count, its colour class.
pub type Series = (&'static str, usize, &'static str);

/// The drawing width of a trend.
pub const TREND_WIDTH: usize = 600;
/// The drawing height of a trend's plot (labels go below it).
pub const TREND_HEIGHT: usize = 120;

impl Trend {
    /// Lays out days of `(day, [(series label, count, class)])`, over `days` slots so that
    /// a missing day leaves a gap where it would be.
    pub fn new(
        title: impl Into<String>,
        days: u32,
        first_day: jiff::civil::Date,
        counts: Vec<(jiff::civil::Date, Vec<Series>)>,
    ) -> Trend {
        let slots = days.max(1) as usize;
        let slot = (TREND_WIDTH / slots).max(1);
        let max = counts
            .iter()
            .map(|(_, series)| series.iter().map(|s| s.1).sum::<usize>())
            .max()
            .unwrap_or(0)
            .max(1);
        let columns = counts
            .iter()
            .filter_map(|(day, series)| {
                let index = usize::try_from((*day - first_day).get_days()).ok()?;
                (index < slots).then_some(())?;
                let mut top = TREND_HEIGHT;
                let mut parts = Vec::new();
                for (_, n, class) in series.iter().filter(|s| s.1 > 0) {
                    let height = (n * TREND_HEIGHT).div_ceil(max).max(1);
                    top = top.saturating_sub(height);
                    parts.push(Part {
                        y: top,
                        height,
                        class,
                    });
                }
                let tip = format!(
                    "{day}: {}",
                    series
                        .iter()
                        .map(|(label, n, _)| format!("{n} {label}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                Some(Column {
                    x: index * slot,
                    width: slot.saturating_sub(1).max(1),
                    tip,
                    parts,
                })
            })
            .collect();
        let last_day = first_day
            .checked_add(jiff::Span::new().days(slots as i64 - 1))
            .unwrap_or(first_day);
        Trend {
            title: title.into(),
            columns,
            max,
            span: (first_day.to_string(), last_day.to_string()),
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

    #[test]
    fn a_trend_stacks_each_day_and_leaves_a_missing_day_empty() {
        let first: jiff::civil::Date = "2026-12-01".parse().unwrap();
        let day = |d: &str| d.parse::<jiff::civil::Date>().unwrap();
        let t = Trend::new(
            "t",
            30,
            first,
            vec![
                (
                    day("2026-12-01"),
                    vec![("ready", 30, "ready"), ("blocked", 10, "critical")],
                ),
                // 2026-12-02 is missing: no column there.
                (
                    day("2026-12-03"),
                    vec![("ready", 20, "ready"), ("blocked", 0, "critical")],
                ),
            ],
        );
        assert_eq!(t.max, 40);
        assert_eq!(t.columns.len(), 2);
        assert_eq!(t.columns[1].x, 2 * (TREND_WIDTH / 30));
        let full = &t.columns[0].parts;
        assert_eq!(full[0].height + full[1].height, TREND_HEIGHT);
        assert_eq!(full[1].y, 0, "the stack reaches the top");
        // A zero count draws nothing.
        assert_eq!(t.columns[1].parts.len(), 1);
        assert!(t.columns[1].tip.contains("0 blocked"));
        assert_eq!(t.span, ("2026-12-01".to_string(), "2026-12-30".to_string()));
    }
}
