import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * A runtime validator generated from @grafana/schema's TypeScript types: the
 * TypeScript compiler reads the `Dashboard` type (test/dashboards/schemaTypes.ts
 * re-exports it) and a JSON value is walked against it — every required
 * property present, every present property of the declared type (string,
 * number, boolean, null, literal and enum values, arrays, nested objects,
 * index signatures), unions accepted when one member fits. Properties the
 * schema does not declare are allowed (TypeScript's structural typing; Grafana
 * keeps unknown keys). The same compilation gives the compile-time half: the
 * diagnostics of schemaTypes.ts.
 */
export interface SchemaCheck {
  diagnostics: string[];
  validate(value: unknown): string[];
}

export function loadSchemaCheck(): SchemaCheck {
  const file = fileURLToPath(new URL('./schemaTypes.ts', import.meta.url));
  const program = ts.createProgram([file], {
    strict: true, noEmit: true, skipLibCheck: true, resolveJsonModule: true, esModuleInterop: true,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const alias = source.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'SchemaDashboard');
  if (!alias) throw new Error('schemaTypes.ts: no type SchemaDashboard');
  const root = checker.getTypeAtLocation(alias.name);

  const check = (v: unknown, t: ts.Type, path: string, out: string[]): void => {
    const f = t.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (t.isUnion()) {
      // report against the members of the value's own kind (an array against Array<…>, not against undefined)
      const kind = (m: ts.Type) => (checker.isArrayType(m) ? 'array' : m.flags & ts.TypeFlags.Object ? 'object' : m.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined) ? String(v) : 'primitive');
      const own = Array.isArray(v) ? 'array' : v === null || v === undefined ? String(v) : typeof v === 'object' ? 'object' : 'primitive';
      const members = t.types.some((m) => kind(m) === own) ? t.types.filter((m) => kind(m) === own || m.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) : t.types;
      let best: string[] | undefined;
      for (const m of members) {
        const errs: string[] = [];
        check(v, m, path, errs);
        if (errs.length === 0) return;
        if (!best || errs.length < best.length) best = errs;
      }
      out.push(...(best ?? [`${path}: matches no member of ${checker.typeToString(t)}`]));
      return;
    }
    if (t.isIntersection()) return t.types.forEach((m) => check(v, m, path, out));
    if (t.isStringLiteral() || t.isNumberLiteral()) {
      if (v !== t.value) out.push(`${path}: ${JSON.stringify(v)} is not ${JSON.stringify(t.value)}`);
      return;
    }
    if (f & ts.TypeFlags.BooleanLiteral) {
      const want = checker.typeToString(t) === 'true';
      if (v !== want) out.push(`${path}: ${JSON.stringify(v)} is not ${want}`);
      return;
    }
    const prim: Array<[ts.TypeFlags, (x: unknown) => boolean, string]> = [
      [ts.TypeFlags.String, (x) => typeof x === 'string', 'a string'],
      [ts.TypeFlags.Number, (x) => typeof x === 'number', 'a number'],
      [ts.TypeFlags.Boolean, (x) => typeof x === 'boolean', 'a boolean'],
      [ts.TypeFlags.Null, (x) => x === null, 'null'],
      [ts.TypeFlags.Undefined, (x) => x === undefined, 'absent'],
      [ts.TypeFlags.Never, () => false, 'nothing'],
    ];
    for (const [flag, ok, what] of prim) {
      if (f & flag) {
        if (!ok(v)) out.push(`${path}: ${JSON.stringify(v)?.slice(0, 60)} is not ${what}`);
        return;
      }
    }
    if (checker.isArrayType(t)) {
      if (!Array.isArray(v)) return void out.push(`${path}: expected an array`);
      const el = checker.getTypeArguments(t as ts.TypeReference)[0]!;
      v.forEach((x, i) => check(x, el, `${path}[${i}]`, out));
      return;
    }
    if (f & ts.TypeFlags.Object) {
      if (t.getCallSignatures().length > 0) return;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return void out.push(`${path}: expected an object`);
      const obj = v as Record<string, unknown>;
      const declared = new Set<string>();
      for (const p of checker.getPropertiesOfType(t)) {
        declared.add(p.name);
        const pt = checker.getTypeOfSymbol(p);
        if (!(p.name in obj) || obj[p.name] === undefined) {
          if (!(p.flags & ts.SymbolFlags.Optional)) out.push(`${path}.${p.name}: required by the schema, missing`);
          continue;
        }
        check(obj[p.name], pt, `${path}.${p.name}`, out);
      }
      const index = checker.getIndexInfosOfType(t)[0];
      if (index) for (const k of Object.keys(obj)) if (!declared.has(k)) check(obj[k], index.type, `${path}.${k}`, out);
      return;
    }
    out.push(`${path}: cannot check type ${checker.typeToString(t)}`);
  };

  return {
    diagnostics,
    validate(value) {
      const out: string[] = [];
      check(value, root, '$', out);
      return out;
    },
  };
}
