import { Eta } from 'eta';

/**
 * Eta, remembering where each include resolves to: Eta works the path out again on every include
 * (a JSON key, path joins and a check that it stays in the views folder), a few percent of a
 * dashboard's CPU for its dozen includes. The answer depends only on the name and the including
 * file, so the first one is kept.
 */
export class ViewEngine extends Eta {
  constructor(...args: ConstructorParameters<typeof Eta>) {
    super(...args);
    const resolve = this.resolvePath;
    const resolved = new Map<string, string>();
    this.resolvePath = function (templatePath, options) {
      const key = `${options?.filepath ?? ''}\u0000${templatePath}`;
      let file = resolved.get(key);
      if (file === undefined) {
        file = resolve.call(this, templatePath, options);
        resolved.set(key, file);
      }
      return file;
    };
  }
}
