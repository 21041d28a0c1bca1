/**
 * carepay: tells the council's carepay stack that a provider's claim sheet was edited.
 *
 * A council-owned, standalone Apps Script project (not bound to a provider's sheet). It installs
 * an installable onEdit and onChange trigger on each provider sheet the council shares, and on
 * each edit POSTs a small signed notice to carepay's notice endpoint. The notice carries no
 * claim data: carepay reads the sheet itself with its own service account.
 *
 * Script Properties (Project Settings → Script Properties):
 *   CAREPAY_NOTICE_URL     the stack's SheetNoticesUrl output, followed by /notices
 *   CAREPAY_NOTICE_SECRET  the value of the stack's SheetsNoticeSecret (Secrets Manager)
 *
 * Install steps are in carepay's README, section "Google Sheets".
 */

var CAREPAY_SIGNATURE_HEADER = 'X-Carepay-Signature';

/** Run once per provider sheet (from the editor: select it, Run), with the sheet's id. */
function installCarepayTriggers(spreadsheetId) {
  var existing = ScriptApp.getProjectTriggers().filter(function (trigger) {
    return trigger.getTriggerSourceId() === spreadsheetId;
  });
  existing.forEach(function (trigger) { ScriptApp.deleteTrigger(trigger); });
  ScriptApp.newTrigger('carepayOnEdit').forSpreadsheet(spreadsheetId).onEdit().create();
  ScriptApp.newTrigger('carepayOnChange').forSpreadsheet(spreadsheetId).onChange().create();
}

/** Installs the triggers on every sheet listed, one id per line, in the CAREPAY_SHEETS property. */
function installCarepayTriggersForAll() {
  var ids = (PropertiesService.getScriptProperties().getProperty('CAREPAY_SHEETS') || '')
    .split(/\s+/)
    .filter(function (id) { return id.length > 0; });
  ids.forEach(installCarepayTriggers);
}

function carepayOnEdit(e) {
  var range = e && e.range;
  carepayNotify(e.source.getId(), range ? range.getSheet().getName() : '', range ? range.getA1Notation() : '');
}

function carepayOnChange(e) {
  carepayNotify(e.source.getId(), '', '');
}

/** Builds, signs and sends one notice. Returns the HTTP status (202 when accepted). */
function carepayNotify(spreadsheetId, tab, a1Range) {
  var properties = PropertiesService.getScriptProperties();
  var body = carepayNoticeBody(spreadsheetId, tab, a1Range, new Date(), Utilities.getUuid());
  var signature = carepaySign(body, properties.getProperty('CAREPAY_NOTICE_SECRET'));
  var headers = {};
  headers[CAREPAY_SIGNATURE_HEADER] = signature;
  var response = UrlFetchApp.fetch(properties.getProperty('CAREPAY_NOTICE_URL'), {
    method: 'post',
    contentType: 'application/json',
    payload: body,
    headers: headers,
    muteHttpExceptions: true
  });
  return response.getResponseCode();
}

/** The notice: spreadsheet id, tab, range, timestamp and a nonce; nothing the provider typed. */
function carepayNoticeBody(spreadsheetId, tab, a1Range, now, uuid) {
  return JSON.stringify({
    spreadsheet_id: spreadsheetId,
    tab: tab,
    range: a1Range,
    timestamp: now.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    nonce: uuid.replace(/[^A-Za-z0-9_-]/g, '')
  });
}

/** Hex HMAC-SHA256 of the body with the shared secret (what carepay checks). */
function carepaySign(body, secret) {
  var bytes = Utilities.computeHmacSha256Signature(body, secret, Utilities.Charset.UTF_8);
  return bytes.map(function (b) {
    var unsigned = b < 0 ? b + 256 : b;  // Apps Script's bytes are signed (-128..127)
    return ('0' + unsigned.toString(16)).slice(-2);
  }).join('');
}

if (typeof module !== 'undefined') {  // for carepay's own tests, run under Node.js
  module.exports = { carepayNoticeBody: carepayNoticeBody, carepaySign: carepaySign };
}
