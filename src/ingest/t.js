/* TapRain landing snippet. Add to every page of the shop:
 *   <script src="https://<taprain>/t.js" data-days="30" async></script>
 * It reads the affiliate fields of the landing URL and keeps them in the first-party cookie
 * `tap_data` (JSON, URL-encoded; SameSite=Lax; path /) for `data-days` days (default 30), where
 * the shop's server reads them when it reports the order to /api/v1/conversions. */
(function () {
  var script = document.currentScript;
  var days = parseInt((script && script.getAttribute('data-days')) || '', 10);
  if (!(days > 0 && days <= 3650)) days = 30;
  var query = new URLSearchParams(window.location.search);
  // Each field and the URL parameters that carry it, first match wins (as in the seed's guide).
  var names = {
    referral_code: ['refc', 'referral_code', 'ref'],
    asset_id: ['aid', 'asset_id', 'a'],
    source_id: ['sid', 'source_id', 's'],
    coupon: ['coupon'],
    click_id: ['click_id']
  };
  var data = {};
  var found = false;
  for (var field in names) {
    for (var i = 0; i < names[field].length; i++) {
      var value = query.get(names[field][i]);
      if (value) {
        data[field] = value.slice(0, 255);
        found = true;
        break;
      }
    }
  }
  // A visit without affiliate fields keeps what an earlier landing stored.
  if (!found) return;
  var secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = 'tap_data=' + encodeURIComponent(JSON.stringify(data)) +
    '; Max-Age=' + days * 86400 + '; Path=/; SameSite=Lax' + secure;
})();
