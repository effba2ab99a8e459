/**
 * The run's blocks laid out by dagre from the definition's edges, drawn as
 * SVG. Layout depends on the plan only, so polling a running run changes
 * nothing but each block's status class.
 */
import dagre from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import type { BlockState, GraphEdge, RunPlan } from '../types.ts';

const NODE_WIDTH = 168;
const NODE_HEIGHT = 48;
const FIT_WIDTH = 1400;

interface Layout {
  readonly width: number;
  readonly height: number;
  readonly nodes: Array<{ id: string; type: string; x: number; y: number; onError: boolean }>;
  readonly edges: Array<{ edge: GraphEdge; points: Array<{ x: number; y: number }>; labelAt?: { x: number; y: number } }>;
}

function layout(plan: RunPlan): Layout {
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 56, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const block of plan.blocks) graph.setNode(block.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of plan.edges) {
    if (graph.hasNode(edge.from) && graph.hasNode(edge.to)) {
      graph.setEdge(edge.from, edge.to, edge.label ? { width: Math.min(edge.label.length, 24) * 6.5, height: 14, labelpos: 'c' } : {});
    }
  }
  dagre.layout(graph);
  const nodes = plan.blocks.map((block) => {
    const node = graph.node(block.id);
    return { id: block.id, type: block.loop ? `loop · ${block.loop.body}` : block.type, x: node.x - NODE_WIDTH / 2, y: node.y - NODE_HEIGHT / 2, onError: block.onError === true };
  });
  const edges = plan.edges.flatMap((edge) => {
    const laid = graph.edge(edge.from, edge.to) as { points?: Array<{ x: number; y: number }>; x?: number; y?: number } | undefined;
    if (!laid?.points) return [];
    return [{ edge, points: laid.points, ...(edge.label && laid.x !== undefined && laid.y !== undefined ? { labelAt: { x: laid.x, y: laid.y } } : {}) }];
  });
  const { width = 0, height = 0 } = graph.graph();
  return { width, height, nodes, edges };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function path(points: Array<{ x: number; y: number }>): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

export function BlockGraph(props: {
  plan: RunPlan;
  blocks: Readonly<Record<string, BlockState>>;
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  const laid = useMemo(() => {
    performance.mark('baton:layout-start');
    const result = layout(props.plan);
    performance.measure('baton:layout', 'baton:layout-start');
    return result;
  }, [props.plan]);
  return (
    // Up to a width a scaled-down graph stays readable at, it is fitted to the box; wider ones scroll.
    <div class={`graph${laid.width <= FIT_WIDTH ? ' fit' : ''}`} data-blocks={props.plan.blocks.length}>
      <svg width={laid.width} height={laid.height} viewBox={`0 0 ${laid.width} ${laid.height}`} role="group" aria-label="block graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
          </marker>
        </defs>
        {laid.edges.map(({ edge, points, labelAt }) => (
          <g key={`${edge.from}->${edge.to}`} class={`edge edge-${edge.kind}`}>
            <title>{`${edge.from} → ${edge.to}${edge.label ? `: ${edge.label}` : ''}`}</title>
            <path d={path(points)} marker-end="url(#arrow)" />
            {labelAt && edge.label && (
              <text x={labelAt.x} y={labelAt.y + 4} text-anchor="middle" class="edge-label">
                {clip(edge.label, 24)}
              </text>
            )}
          </g>
        ))}
        {laid.nodes.map((node) => {
          const state = props.blocks[node.id];
          const status = state?.status ?? 'pending';
          const items = state?.items ? ` ${state.items.completed + state.items.failed}/${state.items.total}` : '';
          return (
            <g
              key={node.id}
              class={`node status-${status}${props.selected === node.id ? ' selected' : ''}${node.onError ? ' on-error' : ''}`}
              data-block={node.id}
              data-status={status}
              transform={`translate(${node.x.toFixed(1)},${node.y.toFixed(1)})`}
              tabIndex={0}
              role="button"
              aria-label={`block ${node.id}: ${status}`}
              onClick={() => props.onSelect(node.id)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && props.onSelect(node.id)}
            >
              <title>{`${node.id} (${node.type}): ${status}`}</title>
              <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} ry={6} />
              <text x={10} y={20} class="node-id">
                {clip(node.id, 22)}
              </text>
              <text x={10} y={38} class="node-meta">
                {clip(`${node.type} · ${status}${items}${state?.reused ? ' · reused' : ''}`, 28)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
