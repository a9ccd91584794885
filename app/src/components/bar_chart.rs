//! A small bar chart drawn as inline SVG on the server (no script needed to see it). Every bar
//! carries a `<title>` tooltip, and the figure an accessible summary.

use leptos::prelude::*;

/// One bar: its axis label, its value, and the value as people read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub display: String,
}

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 180.0;
const AXIS: f64 = 22.0;

#[component]
pub fn BarChart(#[prop(into)] title: String, bars: Vec<Bar>, #[prop(into)] test_id: String) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let slot = WIDTH / bars.len().max(1) as f64;
    let plot = HEIGHT - AXIS;
    let total: i64 = bars.iter().map(|b| b.value).sum();
    let summary = format!("{title}: {}", bars.iter().map(|b| format!("{} {}", b.label, b.display)).collect::<Vec<_>>().join(", "));
    let count = bars.len();
    let drawn = bars
        .into_iter()
        .enumerate()
        .map(|(i, bar)| {
            let h = if bar.value > 0 { (bar.value as f64 / max * (plot - 8.0)).max(2.0) } else { 0.0 };
            let x = i as f64 * slot + slot * 0.15;
            let label_x = i as f64 * slot + slot / 2.0;
            // At most about eight labels on a crowded axis, counted back from the last (today).
            let show_label = (count - 1 - i).is_multiple_of(count.div_ceil(8));
            view! {
                <g>
                    <rect class="bar" x=format!("{x:.1}") y=format!("{:.1}", plot - h) width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}") rx="3">
                        <title>{format!("{}: {}", bar.label, bar.display)}</title>
                    </rect>
                    {show_label.then(|| view! {
                        <text class="axis" x=format!("{label_x:.1}") y=format!("{:.1}", HEIGHT - 6.0) text-anchor="middle">{bar.label.clone()}</text>
                    })}
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid=test_id data-total=total.to_string()>
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary>
                <line class="baseline" x1="0" x2=WIDTH.to_string() y1=plot.to_string() y2=plot.to_string() />
                {drawn}
            </svg>
        </figure>
    }
}
