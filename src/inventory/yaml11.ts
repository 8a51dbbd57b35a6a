import type { ScalarTag, Tags } from "yaml";

/**
 * The implicit scalar types of PyYAML (the YAML 1.1 reading Ansible uses), where the `yaml`
 * package's 1.1 schema differs: `e1`, `1e3` and `y` stay strings, `09` is a string, `0644` is
 * octal, `1:30` is 90, `yes`/`on` are true. Returns the 1.1 tags with bool, int and float replaced.
 */
export function pyyamlTags(tags: Tags): Tags {
  const keep = tags.filter((t) => {
    const name = typeof t === "string" ? t : t.tag;
    return !["tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"].includes(name);
  });
  return [...PYYAML_SCALARS, ...keep];
}

const sexagesimal = (s: string) => s.split(":").reduce((n, part) => n * 60 + Number(part), 0);

const signed = (s: string, f: (t: string) => number) => (s.startsWith("-") ? -f(s.slice(1)) : f(s.replace(/^\+/, "")));

const PYYAML_SCALARS: ScalarTag[] = [
  {
    tag: "tag:yaml.org,2002:bool",
    default: true,
    test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
    resolve: (s) => /^(?:yes|true|on)$/i.test(s),
  },
  {
    tag: "tag:yaml.org,2002:int",
    default: true,
    test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    resolve: (str) =>
      signed(str.replaceAll("_", ""), (s) => {
        if (s.startsWith("0b")) return Number.parseInt(s.slice(2), 2);
        if (s.startsWith("0x")) return Number.parseInt(s.slice(2), 16);
        if (s.includes(":")) return sexagesimal(s);
        if (s.length > 1 && s.startsWith("0")) return Number.parseInt(s, 8);
        return Number(s);
      }),
  },
  {
    tag: "tag:yaml.org,2002:float",
    default: true,
    test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    resolve: (str) =>
      signed(str.replaceAll("_", "").toLowerCase(), (s) => {
        if (s === ".inf") return Number.POSITIVE_INFINITY;
        if (s === ".nan") return Number.NaN;
        if (s.includes(":")) return sexagesimal(s.split(".")[0] as string) + Number(`0.${s.split(".")[1] ?? ""}`);
        return Number(s);
      }),
  },
];
