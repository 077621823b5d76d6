// The part of RFC 8941 Structured Field Values that the signature headers use: dictionaries
// of items and inner lists with parameters (strings, tokens, integers, booleans, byte
// sequences), parsed strictly and serialized in the one canonical form.
import { ProtocolError } from './protocol-error.js';

export type SfBareItem =
  | { type: 'string'; value: string }
  | { type: 'token'; value: string }
  | { type: 'integer'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'binary'; value: Buffer };
export type SfParams = Array<[string, SfBareItem]>;
export interface SfItem { item: SfBareItem; params: SfParams }
export interface SfInnerList { list: SfItem[]; params: SfParams }
export type SfMember = SfItem | SfInnerList;

const KEY_START = /[a-z*]/;
const KEY_CHAR = /[a-z0-9_.*-]/;
const TOKEN_START = /[A-Za-z*]/;
const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z:/-]/;
const BASE64_CHAR = /[A-Za-z0-9+/=]/;
const MAX_INTEGER = 999_999_999_999_999;

const malformed = (message: string) => new ProtocolError('SF_MALFORMED', message);

/** Parses a Dictionary field value (RFC 8941 §4.2.2); a repeated key keeps its last value. */
export function parseDictionary(text: string): Map<string, SfMember> {
  const parser = new SfParser(text);
  const dictionary = new Map<string, SfMember>();
  parser.skip(/ /);
  while (!parser.done()) {
    const key = parser.key();
    dictionary.set(key, parser.eat('=') ? parser.member() : { item: { type: 'boolean', value: true }, params: parser.params() });
    parser.skip(/[ \t]/);
    if (parser.done()) break;
    if (!parser.eat(',')) throw malformed(`Expected "," after dictionary member "${key}".`);
    parser.skip(/[ \t]/);
    if (parser.done()) throw malformed('A dictionary may not end with ",".');
  }
  return dictionary;
}

export function serializeBareItem(item: SfBareItem): string {
  switch (item.type) {
    case 'string':
      if (!/^[\x20-\x7e]*$/.test(item.value)) throw malformed('A structured-field string holds printable ASCII only.');
      return `"${item.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'token':
      if (!/^[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]*$/.test(item.value)) throw malformed(`"${item.value}" is not a token.`);
      return item.value;
    case 'integer':
      if (!Number.isInteger(item.value) || Math.abs(item.value) > MAX_INTEGER) throw malformed(`${item.value} is not an sf-integer.`);
      return String(item.value);
    case 'boolean':
      return item.value ? '?1' : '?0';
    case 'binary':
      return `:${item.value.toString('base64')}:`;
  }
}

const serializeParams = (params: SfParams): string =>
  params.map(([key, value]) => (value.type === 'boolean' && value.value ? `;${key}` : `;${key}=${serializeBareItem(value)}`)).join('');

export function serializeInnerList({ list, params }: SfInnerList): string {
  return `(${list.map(({ item, params: itemParams }) => serializeBareItem(item) + serializeParams(itemParams)).join(' ')})${serializeParams(params)}`;
}

class SfParser {
  private at = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  eat(char: string): boolean {
    if (this.text[this.at] !== char) return false;
    this.at += 1;
    return true;
  }

  skip(chars: RegExp): void {
    while (!this.done() && chars.test(this.text[this.at]!)) this.at += 1;
  }

  private take(chars: RegExp): string {
    const start = this.at;
    this.skip(chars);
    return this.text.slice(start, this.at);
  }

  key(): string {
    if (!KEY_START.test(this.text[this.at] ?? '')) throw malformed(`Expected a key at position ${this.at}.`);
    return this.take(KEY_CHAR);
  }

  member(): SfMember {
    return this.text[this.at] === '(' ? this.innerList() : { item: this.bareItem(), params: this.params() };
  }

  private innerList(): SfInnerList {
    this.at += 1;
    const list: SfItem[] = [];
    for (;;) {
      this.skip(/ /);
      if (this.eat(')')) return { list, params: this.params() };
      list.push({ item: this.bareItem(), params: this.params() });
      const next = this.text[this.at];
      if (next !== ' ' && next !== ')') throw malformed(`Expected " " or ")" in an inner list at position ${this.at}.`);
    }
  }

  params(): SfParams {
    const params: SfParams = [];
    while (this.eat(';')) {
      this.skip(/ /);
      const key = this.key();
      params.push([key, this.eat('=') ? this.bareItem() : { type: 'boolean', value: true }]);
    }
    return params;
  }

  private bareItem(): SfBareItem {
    const first = this.text[this.at] ?? '';
    if (first === '"') return { type: 'string', value: this.string() };
    if (first === ':') return { type: 'binary', value: this.binary() };
    if (first === '?') return { type: 'boolean', value: this.boolean() };
    if (first === '-' || /[0-9]/.test(first)) return { type: 'integer', value: this.integer() };
    if (TOKEN_START.test(first)) return { type: 'token', value: this.take(TOKEN_CHAR) };
    throw malformed(`Expected a value at position ${this.at}.`);
  }

  private string(): string {
    this.at += 1;
    let value = '';
    for (;;) {
      const char = this.text[this.at++];
      if (char === undefined) throw malformed('A string is not closed.');
      if (char === '"') return value;
      if (char === '\\') {
        const escaped = this.text[this.at++];
        if (escaped !== '"' && escaped !== '\\') throw malformed('A string may escape only " and \\.');
        value += escaped;
      } else if (char < '\x20' || char > '\x7e') {
        throw malformed('A string holds printable ASCII only.');
      } else {
        value += char;
      }
    }
  }

  private binary(): Buffer {
    this.at += 1;
    const encoded = this.take(BASE64_CHAR);
    if (!this.eat(':') || encoded.length % 4 !== 0) throw malformed('A byte sequence is not closed base64 between colons.');
    return Buffer.from(encoded, 'base64');
  }

  private boolean(): boolean {
    this.at += 1;
    const digit = this.text[this.at++];
    if (digit !== '0' && digit !== '1') throw malformed('A boolean is ?0 or ?1.');
    return digit === '1';
  }

  private integer(): number {
    const negative = this.eat('-');
    const digits = this.take(/[0-9]/);
    if (digits.length === 0 || digits.length > 15) throw malformed('An integer has 1 to 15 digits.');
    if (this.text[this.at] === '.') throw malformed('Decimals are not used in these fields.');
    return negative ? -Number(digits) : Number(digits);
  }
}
