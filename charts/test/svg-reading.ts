import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface DrawnText {
  x: number;
  y: number;
  size: number;
  anchor: string;
  content: string;
  /** The class of the group it is in: ticks, legend… */
  group: string;
  rotated: boolean;
}

/** Whether the document parses as XML (what an SVG viewer or an `<img>` requires). */
export const wellFormed = (svg: string): boolean => XMLValidator.validate(svg) === true;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  textNodeName: '#text',
  parseTagValue: false,
  trimValues: false,
});

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

/** Every `<text>` of a rendered chart, with the class of its enclosing group. */
export function textsOf(svg: string): DrawnText[] {
  const found: DrawnText[] = [];
  const walk = (nodes: Node[], group: string) => {
    for (const node of nodes) {
      const name = Object.keys(node).find((k) => k !== ':@') as string;
      const attrs = node[':@'] ?? {};
      const children = (node[name] ?? []) as Node[];
      if (name === 'text') {
        const content = children.map((c) => String(c['#text'] ?? '')).join('');
        found.push({
          x: Number(attrs.x),
          y: Number(attrs.y),
          size: Number(attrs['font-size']),
          anchor: attrs['text-anchor'] ?? 'start',
          content,
          group,
          rotated: Boolean(attrs.transform),
        });
      } else if (Array.isArray(children)) {
        walk(children, name === 'g' && attrs.class ? attrs.class : group);
      }
    }
  };
  walk(parser.parse(svg) as Node[], '');
  return found;
}
