/** One line of audit text as a reader delivers it, without its trailing newline. */
export interface AuditLine {
  readonly line: string;
  /** 1-based: line in the file for the tailer, line since connect-time start for the socket reader. */
  readonly lineNo: number;
  /** Where it came from (socket path or file path), for error messages. */
  readonly source: string;
}

/** A reader: an async stream of lines that ends when `stop()` is called. */
export interface LineSource extends AsyncIterable<AuditLine> {
  /** The same lines in arrays of whatever is waiting (cheaper per line than iterating one by one). */
  lineBatches?(): AsyncIterable<readonly AuditLine[]>;
  /** Ends the stream: the iterator finishes after lines already read have been yielded. */
  stop(): Promise<void>;
}
