//! The offerwall page in its visitor's language: the languages it speaks, how one is chosen
//! (`lang=`, then `Accept-Language`, then the wall's default), the page's words in each, and
//! numbers written the way that language writes them.

use serde::{Deserialize, Serialize};

/// A language the offerwall page is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WallLanguage {
    #[default]
    En,
    Es,
    Pt,
    De,
    Fr,
    Ru,
    Tr,
    Id,
}

impl WallLanguage {
    pub const ALL: [WallLanguage; 8] = [Self::En, Self::Es, Self::Pt, Self::De, Self::Fr, Self::Ru, Self::Tr, Self::Id];

    /// The BCP 47 primary tag (`en`, `pt`), for `lang=` and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
            Self::Pt => "pt",
            Self::De => "de",
            Self::Fr => "fr",
            Self::Ru => "ru",
            Self::Tr => "tr",
            Self::Id => "id",
        }
    }

    /// The language's own name, for the generator's menu.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Es => "Español",
            Self::Pt => "Português",
            Self::De => "Deutsch",
            Self::Fr => "Français",
            Self::Ru => "Русский",
            Self::Tr => "Türkçe",
            Self::Id => "Bahasa Indonesia",
        }
    }

    /// A language tag (`pt-BR`, `DE`, `es_419`): its primary subtag, if the page speaks it.
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language a visitor asks for: `lang=` if the page speaks it, else the best
    /// `Accept-Language` entry it speaks (by q-value, then order).
    pub fn requested(lang_param: Option<&str>, accept_language: Option<&str>) -> Option<Self> {
        lang_param.and_then(Self::parse).or_else(|| accept_language.and_then(best_accepted))
    }

    /// The page's language: the one [`requested`](Self::requested), else the wall's default.
    pub fn choose(lang_param: Option<&str>, accept_language: Option<&str>, wall_default: Self) -> Self {
        Self::requested(lang_param, accept_language).unwrap_or(wall_default)
    }

    pub fn texts(self) -> &'static WallTexts {
        match self {
            Self::En => &EN,
            Self::Es => &ES,
            Self::Pt => &PT,
            Self::De => &DE,
            Self::Fr => &FR,
            Self::Ru => &RU,
            Self::Tr => &TR,
            Self::Id => &ID,
        }
    }

    /// The thousands separator, and the fewest digits a number has before it is grouped (CLDR:
    /// Spanish writes 1000 but 10.000).
    fn grouping(self) -> (&'static str, usize) {
        match self {
            Self::En => (",", 4),
            Self::Es => (".", 5),
            Self::Pt | Self::De | Self::Tr | Self::Id => (".", 4),
            // A narrow no-break space (fr) and a no-break space (ru), so numbers never wrap.
            Self::Fr => ("\u{202f}", 4),
            Self::Ru => ("\u{a0}", 4),
        }
    }

    /// Appends `n` grouped in thousands as this language writes it (`1,234,567`, `1.234.567`,
    /// `1 234 567`).
    pub fn number_into(self, out: &mut String, n: i64) {
        let (separator, min_digits) = self.grouping();
        let mut digits = [0u8; 20];
        let mut len = 0;
        let mut rest = n.unsigned_abs();
        loop {
            digits[len] = b'0' + (rest % 10) as u8;
            len += 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if n < 0 {
            out.push('-');
        }
        let group = len >= min_digits;
        for i in (0..len).rev() {
            out.push(char::from(digits[i]));
            if group && i > 0 && i % 3 == 0 {
                out.push_str(separator);
            }
        }
    }

    pub fn number(self, n: i64) -> String {
        let mut out = String::new();
        self.number_into(&mut out, n);
        out
    }
}

/// The best entry of an `Accept-Language` header the page speaks: highest q first, earlier
/// entries winning ties; `q=0` means "not this one".
fn best_accepted(header: &str) -> Option<WallLanguage> {
    let mut best: Option<(WallLanguage, u16)> = None;
    for entry in header.split(',').take(32) {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or_default();
        let q = parts.find_map(|p| p.trim().strip_prefix("q=")).map(parse_q).unwrap_or(Some(1000));
        let (Some(lang), Some(q)) = (WallLanguage::parse(tag), q) else { continue };
        if q > 0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((lang, q));
        }
    }
    best.map(|(lang, _)| lang)
}

/// A q-value (`0.8`) in thousandths; `None` when malformed.
fn parse_q(raw: &str) -> Option<u16> {
    let value: f32 = raw.trim().parse().ok()?;
    (0.0..=1.0).contains(&value).then(|| (value * 1000.0).round() as u16)
}

/// Every piece of text the offerwall page shows, in one language. `{currency}` in `subtitle`
/// is the wall's currency name.
#[derive(Debug)]
pub struct WallTexts {
    pub subtitle: &'static str,
    pub search: &'static str,
    pub search_button: &'static str,
    pub sort: &'static str,
    pub highest: &'static str,
    pub lowest: &'static str,
    pub name: &'static str,
    pub earn: &'static str,
    pub all_devices: &'static str,
    pub desktop: &'static str,
    pub mobile: &'static str,
    pub empty: &'static str,
    pub opens_in_new_tab: &'static str,
}

impl WallTexts {
    /// The line under the title, with the currency name in place.
    pub fn subtitle_for(&self, currency: &str) -> String {
        self.subtitle.replace("{currency}", currency)
    }
}

const EN: WallTexts = WallTexts {
    subtitle: "Complete an offer to earn {currency}",
    search: "Search offers",
    search_button: "Search",
    sort: "Sort",
    highest: "Highest reward",
    lowest: "Lowest reward",
    name: "Name",
    earn: "Earn",
    all_devices: "All devices",
    desktop: "Desktop",
    mobile: "Mobile",
    empty: "No offers available right now. Check back soon!",
    opens_in_new_tab: "opens in a new tab",
};

const ES: WallTexts = WallTexts {
    subtitle: "Completa una oferta para ganar {currency}",
    search: "Buscar ofertas",
    search_button: "Buscar",
    sort: "Ordenar",
    highest: "Mayor recompensa",
    lowest: "Menor recompensa",
    name: "Nombre",
    earn: "Gana",
    all_devices: "Todos los dispositivos",
    desktop: "Ordenador",
    mobile: "Móvil",
    empty: "No hay ofertas disponibles ahora mismo. ¡Vuelve pronto!",
    opens_in_new_tab: "se abre en una pestaña nueva",
};

const PT: WallTexts = WallTexts {
    subtitle: "Conclua uma oferta para ganhar {currency}",
    search: "Buscar ofertas",
    search_button: "Buscar",
    sort: "Ordenar",
    highest: "Maior recompensa",
    lowest: "Menor recompensa",
    name: "Nome",
    earn: "Ganhe",
    all_devices: "Todos os dispositivos",
    desktop: "Computador",
    mobile: "Celular",
    empty: "Nenhuma oferta disponível no momento. Volte em breve!",
    opens_in_new_tab: "abre em uma nova aba",
};

const DE: WallTexts = WallTexts {
    subtitle: "Schließe ein Angebot ab und verdiene {currency}",
    search: "Angebote suchen",
    search_button: "Suchen",
    sort: "Sortieren",
    highest: "Höchste Belohnung",
    lowest: "Niedrigste Belohnung",
    name: "Name",
    earn: "Verdiene",
    all_devices: "Alle Geräte",
    desktop: "Desktop",
    mobile: "Mobil",
    empty: "Gerade sind keine Angebote verfügbar. Schau bald wieder vorbei!",
    opens_in_new_tab: "öffnet in einem neuen Tab",
};

const FR: WallTexts = WallTexts {
    subtitle: "Terminez une offre pour gagner des {currency}",
    search: "Rechercher des offres",
    search_button: "Rechercher",
    sort: "Trier",
    highest: "Récompense la plus élevée",
    lowest: "Récompense la plus basse",
    name: "Nom",
    earn: "Gagnez",
    all_devices: "Tous les appareils",
    desktop: "Ordinateur",
    mobile: "Mobile",
    empty: "Aucune offre disponible pour le moment. Revenez bientôt !",
    opens_in_new_tab: "s’ouvre dans un nouvel onglet",
};

const RU: WallTexts = WallTexts {
    subtitle: "Выполните предложение и получите {currency}",
    search: "Поиск предложений",
    search_button: "Найти",
    sort: "Сортировка",
    highest: "Сначала большая награда",
    lowest: "Сначала меньшая награда",
    name: "По названию",
    earn: "Получить",
    all_devices: "Все устройства",
    desktop: "Компьютер",
    mobile: "Телефон",
    empty: "Сейчас нет доступных предложений. Загляните позже!",
    opens_in_new_tab: "откроется в новой вкладке",
};

const TR: WallTexts = WallTexts {
    subtitle: "{currency} kazanmak için bir teklifi tamamlayın",
    search: "Teklif ara",
    search_button: "Ara",
    sort: "Sırala",
    highest: "En yüksek ödül",
    lowest: "En düşük ödül",
    name: "Ad",
    earn: "Kazan",
    all_devices: "Tüm cihazlar",
    desktop: "Masaüstü",
    mobile: "Mobil",
    empty: "Şu anda uygun teklif yok. Yakında tekrar bakın!",
    opens_in_new_tab: "yeni sekmede açılır",
};

const ID: WallTexts = WallTexts {
    subtitle: "Selesaikan penawaran untuk mendapatkan {currency}",
    search: "Cari penawaran",
    search_button: "Cari",
    sort: "Urutkan",
    highest: "Hadiah tertinggi",
    lowest: "Hadiah terendah",
    name: "Nama",
    earn: "Dapatkan",
    all_devices: "Semua perangkat",
    desktop: "Desktop",
    mobile: "Ponsel",
    empty: "Belum ada penawaran saat ini. Coba lagi nanti!",
    opens_in_new_tab: "terbuka di tab baru",
};

/// The page's colours: `light` (default) or `dark`, from the `theme` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WallTheme {
    #[default]
    Light,
    Dark,
}

impl WallTheme {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "light" => Some(Self::Light),
            "dark" => Some(Self::Dark),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameter_wins_then_accept_language_then_the_wall() {
        use WallLanguage::*;
        assert_eq!(WallLanguage::choose(Some("pt-BR"), Some("de"), Es), Pt);
        assert_eq!(WallLanguage::choose(Some("xx"), Some("de-CH, en;q=0.5"), Es), De, "an unknown lang= is ignored");
        assert_eq!(WallLanguage::choose(None, Some("ja, fr;q=0.9, en;q=0.8"), Es), Fr, "the best one the page speaks");
        assert_eq!(WallLanguage::choose(None, Some("en;q=0.3, ru;q=0.7"), Es), Ru, "by q-value, not order");
        assert_eq!(WallLanguage::choose(None, Some("tr;q=0, *"), Id), Id, "q=0 refuses a language");
        assert_eq!(WallLanguage::choose(None, Some("garbage;;q=x"), Tr), Tr);
        assert_eq!(WallLanguage::choose(None, None, De), De);
        for lang in WallLanguage::ALL {
            assert_eq!(WallLanguage::parse(lang.code()), Some(lang));
            assert_eq!(WallLanguage::parse(&lang.code().to_uppercase()), Some(lang));
        }
    }

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        use WallLanguage::*;
        let cases = [
            (En, "1,234,567", "1,000"),
            (Es, "1.234.567", "1000"),
            (Pt, "1.234.567", "1.000"),
            (De, "1.234.567", "1.000"),
            (Fr, "1\u{202f}234\u{202f}567", "1\u{202f}000"),
            (Ru, "1\u{a0}234\u{a0}567", "1\u{a0}000"),
            (Tr, "1.234.567", "1.000"),
            (Id, "1.234.567", "1.000"),
        ];
        for (lang, million, thousand) in cases {
            assert_eq!(lang.number(1_234_567), million, "{lang:?}");
            assert_eq!(lang.number(1000), thousand, "{lang:?}");
            assert_eq!(lang.number(999), "999");
            assert_eq!(lang.number(-12_000).chars().next(), Some('-'));
        }
        assert_eq!(Es.number(12_000), "12.000");
    }

    #[test]
    fn every_language_has_every_text_and_names_the_currency() {
        for lang in WallLanguage::ALL {
            let t = lang.texts();
            assert!(t.subtitle.contains("{currency}"), "{lang:?}");
            assert!(t.subtitle_for("Gems").contains("Gems"));
            for text in
                [t.search, t.search_button, t.sort, t.highest, t.lowest, t.name, t.earn, t.all_devices, t.desktop, t.mobile, t.empty]
            {
                assert!(!text.trim().is_empty(), "{lang:?}");
            }
            if lang != WallLanguage::En {
                assert_ne!(t.search, EN.search, "{lang:?} is translated");
            }
        }
    }

    #[test]
    fn themes_are_light_or_dark() {
        assert_eq!(WallTheme::parse("Dark"), Some(WallTheme::Dark));
        assert_eq!(WallTheme::parse("light"), Some(WallTheme::Light));
        assert_eq!(WallTheme::parse("neon"), None);
    }
}
