/* SPDX-License-Identifier: MIT */
/* utf8_wf <=> utf8_chars, as two ghost lemma functions WP proves. */
/*@ ghost
  /@ requires \valid_read(s + (0 .. n - 1));
     requires utf8_wf(s, n, m);
     assigns \nothing;
     ensures utf8_chars(s, 0, n, m); @/
  static void utf8_wf_chars(const uint8_t *s, size_t n, int m)
  {
      size_t i = 0;

      /@ assert first: 0 < n ==> utf8_wf_at(s, 0, n, m); @/
      /@ loop invariant 0 <= i <= n;
         loop invariant boundary: i < n ==> !utf8_cont(s[i]);
         loop invariant inside: \forall integer j; 0 <= j < i ==>
           j + utf8_lead_len(m, s[j]) <= i;
         loop invariant rest: utf8_chars(s, i, n, m) ==>
           utf8_chars(s, 0, n, m);
         loop assigns i;
         loop variant n - i; @/
      while (i < n) {
          uint8_t b = s[i];
          size_t len = (m != 0 && b == 0xC0) ? 2 : b <= 0x7F ? 1 :
                       b <= 0xDF ? 2 : b <= 0xEF ? 3 : 4;

          /@ assert utf8_wf_at(s, i, n, m); @/
          /@ assert len == utf8_lead_len(m, b); @/
          /@ assert utf8_char(m, len, s[i], s[i + 1], s[i + 2], s[i + 3]); @/
          /@ assert conts: \forall integer j; i < j < i + len ==>
               utf8_cont(s[j]) && utf8_lead_len(m, s[j]) == 0; @/
          /@ assert next: i + len < n ==> !utf8_cont(s[i + len]); @/
          i += len;
      }
  }

  /@ requires \valid_read(s + (0 .. n - 1));
     requires utf8_chars(s, 0, n, m);
     assigns \nothing;
     ensures utf8_wf(s, n, m); @/
  static void utf8_chars_wf(const uint8_t *s, size_t n, int m)
  {
      size_t i = 0;

      /@ loop invariant 0 <= i <= n;
         loop invariant utf8_chars(s, i, n, m);
         loop invariant done: \forall integer j; 0 <= j < i ==>
           utf8_wf_at(s, j, n, m);
         loop assigns i;
         loop variant n - i; @/
      while (i < n) {
          uint8_t b = s[i];
          size_t len = (m != 0 && b == 0xC0) ? 2 : b <= 0x7F ? 1 :
                       b <= 0xDF ? 2 : b <= 0xEF ? 3 : 4;

          /@ assert len == utf8_lead_len(m, b); @/
          /@ assert new: \forall integer j; i <= j < i + len ==>
               utf8_wf_at(s, j, n, m); @/
          i += len;
      }
  }
*/

