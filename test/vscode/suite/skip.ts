// describe.skipIf for mocha's tdd interface: a suite that cannot run here is listed as skipped, with the reason
// in its title.
export function suiteWhen(reason: string | null, title: string, fn: (this: Mocha.Suite) => void): void {
  if (reason === null) suite(title, fn);
  else suite.skip(`${title} [skipped: ${reason}]`, fn);
}
