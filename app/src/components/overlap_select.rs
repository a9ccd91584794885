//! How long an old key keeps working after a rotation: none, 1 hour, 24 hours, 7 days or a
//! custom number of seconds. Writes the chosen seconds (or `None` while the custom value is
//! invalid) into `value`.

use leptos::prelude::*;

use crate::domain::secrets::OVERLAP_CHOICES;

/// Longest overlap the server accepts (30 days), in seconds.
pub const MAX_OVERLAP_SECONDS: i64 = 30 * 24 * 3600;

/// The custom seconds as typed, or what is wrong with them.
pub fn parse_custom(raw: &str) -> Result<i64, String> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (0..=MAX_OVERLAP_SECONDS).contains(&n) => Ok(n),
        _ => Err(format!("Enter whole seconds from 0 to {MAX_OVERLAP_SECONDS} (30 days).")),
    }
}

#[component]
pub fn OverlapSelect(
    value: RwSignal<Option<i64>>,
    /// Makes the field ids unique on a page with several.
    #[prop(into)]
    id: String,
) -> impl IntoView {
    let initial = value.get_untracked().unwrap_or(86_400);
    let choice =
        RwSignal::new(OVERLAP_CHOICES.iter().find(|(_, s)| *s == initial).map(|(_, s)| s.to_string()).unwrap_or_else(|| "custom".into()));
    let custom = RwSignal::new(initial.to_string());
    let problem = move || (choice.get() == "custom").then(|| parse_custom(&custom.get()).err()).flatten();
    Effect::new(move |_| {
        let seconds = match choice.get().as_str() {
            "custom" => parse_custom(&custom.get()).ok(),
            other => other.parse().ok(),
        };
        value.set(seconds);
    });
    let select_id = format!("{id}-overlap");
    let custom_id = format!("{id}-overlap-custom");
    let error_id = format!("{id}-overlap-error");
    view! {
        <div class="overlap">
            <label class="field">
                <span>"Old key keeps working for"</span>
                <select id=select_id data-testid="overlap" prop:value=move || choice.get() on:change=move |ev| choice.set(event_target_value(&ev))>
                    {OVERLAP_CHOICES.iter().map(|(label, seconds)| {
                        let selected = choice.with_untracked(|c| *c == seconds.to_string());
                        view! { <option value=seconds.to_string() selected=selected>{*label}</option> }
                    }).collect_view()}
                    <option value="custom" selected=choice.with_untracked(|c| c == "custom")>"Custom (seconds)"</option>
                </select>
            </label>
            {move || (choice.get() == "custom").then(|| view! {
                <label class="field">
                    <span>"Seconds"</span>
                    <input id=custom_id.clone() type="number" min="0" max=MAX_OVERLAP_SECONDS inputmode="numeric" data-testid="overlap-custom"
                        prop:value=move || custom.get() on:input=move |ev| custom.set(event_target_value(&ev))
                        aria-invalid=move || problem().is_some().to_string() aria-describedby=error_id.clone() />
                    <span id=error_id.clone() class="field-error" role="alert">{problem}</span>
                </label>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_seconds_are_bounded() {
        assert_eq!(parse_custom(" 90 "), Ok(90));
        assert_eq!(parse_custom("0"), Ok(0));
        assert!(parse_custom("-1").is_err());
        assert!(parse_custom("2592001").is_err());
        assert!(parse_custom("1.5").is_err());
    }
}
