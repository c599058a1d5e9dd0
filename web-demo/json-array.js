// Streams a top-level JSON array as one element per line, so a 1 GB array
// never has to be held whole: element i of the array becomes line i, and the
// detector gives it the same input index it would have had in the array.
// Newlines between tokens become spaces (a pretty-printed element stays one
// line); a raw newline inside a string (invalid JSON either way) becomes a
// raw U+0001, which keeps the element invalid without splitting it.
// Anything after the closing bracket is ignored, and reported.

const BLANK = new Set([0x20, 0x09, 0x0a, 0x0d]);

export class JsonArraySplitter {
  constructor() {
    this.state = "start"; // start -> between -> element -> between ... -> end
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.trailing = false; // non-blank bytes after the array
    this.elements = 0;
  }

  /**
   * Feeds bytes of the array; returns the bytes of the elements completed or
   * begun in them, each complete element followed by "\n".
   */
  push(bytes) {
    // Each input byte gives at most itself and a newline.
    const extra = new Uint8Array(bytes.length * 2 + 2);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      switch (this.state) {
        case "start":
          if (b === 0x5b) this.state = "between";
          else if (!BLANK.has(b) && !(i < 3 && (b === 0xef || b === 0xbb || b === 0xbf))) this.state = "end", (this.trailing = true);
          break;
        case "between":
          if (b === 0x5d) this.state = "end";
          else if (b === 0x2c || BLANK.has(b)) break;
          else {
            this.state = "element";
            this.depth = 0;
            this.inString = false;
            this.escape = false;
            i--; // read it again as the element's first byte
          }
          break;
        case "element": {
          if (this.inString) {
            if (this.escape) this.escape = false;
            else if (b === 0x5c) this.escape = true;
            else if (b === 0x22) this.inString = false;
            extra[n++] = b === 0x0a || b === 0x0d ? 0x01 : b;
            break;
          }
          if (b === 0x22) this.inString = true;
          else if (b === 0x7b || b === 0x5b) this.depth++;
          else if (b === 0x7d || b === 0x5d) {
            if (this.depth === 0) {
              // The array's own "]" right after a scalar element.
              extra[n++] = 0x0a;
              this.elements++;
              this.state = b === 0x5d ? "end" : "between";
              break;
            }
            this.depth--;
          } else if (b === 0x2c && this.depth === 0) {
            extra[n++] = 0x0a;
            this.elements++;
            this.state = "between";
            break;
          }
          extra[n++] = b === 0x0a || b === 0x0d ? 0x20 : b;
          if (this.depth === 0 && (b === 0x7d || b === 0x5d)) {
              extra[n++] = 0x0a;
            this.elements++;
            this.state = "between";
          }
          break;
        }
        case "end":
          if (!BLANK.has(b)) this.trailing = true;
          break;
      }
    }
    return extra.subarray(0, n);
  }

  /** Ends the input: the bytes of an element left open (an unterminated array), with its newline. */
  finish() {
    if (this.state === "element") {
      this.state = "end";
      this.elements++;
      return new Uint8Array([0x0a]);
    }
    return new Uint8Array(0);
  }
}
