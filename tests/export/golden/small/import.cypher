// kg knowledge graph for Neo4j 5, written by kg (schema: kg docs/neo4j.md).
// 3 :Paper, 9 :Concept, 3 :Method, 2 :Dataset, 2 :Metric, 2 :Task, 17 :Evidence; 3 :MENTIONS, 1 :PROPOSES, 1 :USES, 3 :EVALUATES_ON, 2 :REPORTS, 2 :ADDRESSES, 2 :USED_FOR, 1 :EVALUATE_FOR, 1 :HYPONYM_OF, 1 :CO_OCCURS, 17 :IN_PAPER.
// Run: cypher-shell -a bolt://localhost:7687 -u neo4j -p "$NEO4J_PASSWORD" -f import.cypher
// Idempotent: a second run changes nothing. Each ':param rows => ...' line sets $rows
// for the statement after it.
CREATE CONSTRAINT kg_paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_concept_id IF NOT EXISTS FOR (n:Concept) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_evidence_id IF NOT EXISTS FOR (n:Evidence) REQUIRE n.id IS UNIQUE;
CREATE INDEX kg_concept_label IF NOT EXISTS FOR (n:Concept) ON (n.label);
CREATE INDEX kg_concept_type IF NOT EXISTS FOR (n:Concept) ON (n.type);
// 3 Paper nodes
:param rows => [{id: 'arxiv:2101.00001', props: {id: 'arxiv:2101.00001', title: 'Graph Neural Networks for Node Classification', abstract: 'We propose GraphSAGE-X, a "fast" graph neural network (GNN). We evaluate GraphSAGE-X on Cora, reporting accuracy.', date: '2021-01-04', authors: ['Ada Lovelace', '\u00c9lodie Dupont'], arxiv_id: '2101.00001', categories: ['cs.LG']}}, {id: 'doi:10.1000/xyz,1', props: {id: 'doi:10.1000/xyz,1', title: '<script>alert(1)</script> Transformers, again', abstract: 'Transformers are used for machine translation.\nWe report BLEU on WMT\'14 \u2014 na\u00efvely, \u00abquoted\u00bb.', date: '2022-05', authors: ['O\'Brien, "Pat"'], doi: '10.1000/xyz,1'}}, {id: 'title:0123456789abcdef', props: {id: 'title:0123456789abcdef', title: 'Graph neural networks, revisited', abstract: 'GNNs are used for node classification on Cora.', date: '--08-05', date_text: 'Aug 5'}}]
UNWIND $rows AS row MERGE (n:Paper {id: row.id}) WITH n, row WHERE properties(n) <> row.props SET n = row.props;
// 2 Concept:Dataset nodes
:param rows => [{id: 'dataset/cora', props: {id: 'dataset/cora', type: 'DATASET', label: 'Cora', aliases: ['Cora'], alias_counts: [2], paper_count: 2, mention_count: 2, first_seen: '--08-05', last_seen: '2021-01-04', confidence: 1.0, ambiguous_type: false}}, {id: 'dataset/wmt-14', props: {id: 'dataset/wmt-14', type: 'DATASET', label: 'WMT\'14', aliases: ['WMT\'14'], alias_counts: [1], paper_count: 1, mention_count: 1, first_seen: '2022-05', last_seen: '2022-05', confidence: 1.0, ambiguous_type: false}}]
UNWIND $rows AS row MERGE (n:Concept {id: row.id}) SET n:Dataset WITH n, row WHERE properties(n) <> row.props SET n = row.props;
// 3 Concept:Method nodes
:param rows => [{id: 'method/graph-neural-networks', props: {id: 'method/graph-neural-networks', type: 'METHOD', label: 'graph neural networks', aliases: ['GNN', 'GNNs', 'Graph neural networks', 'graph neural network'], alias_counts: [1, 1, 1, 1], acronym: 'GNN', paper_count: 2, mention_count: 4, first_seen: '--08-05', last_seen: '2021-01-04', confidence: 0.75, ambiguous_type: true, type_vote_labels: ['METHOD', 'TASK'], type_vote_papers: [1, 1]}}, {id: 'method/graphsage-x', props: {id: 'method/graphsage-x', type: 'METHOD', label: 'GraphSAGE-X', aliases: ['GraphSAGE-X'], alias_counts: [1], paper_count: 1, mention_count: 1, first_seen: '2021-01-04', last_seen: '2021-01-04', confidence: 0.35, ambiguous_type: false}}, {id: 'method/transformers', props: {id: 'method/transformers', type: 'METHOD', label: 'Transformers', aliases: ['Transformers'], alias_counts: [2], paper_count: 1, mention_count: 2, first_seen: '2022-05', last_seen: '2022-05', confidence: 1.0, ambiguous_type: false}}]
UNWIND $rows AS row MERGE (n:Concept {id: row.id}) SET n:Method WITH n, row WHERE properties(n) <> row.props SET n = row.props;
// 2 Concept:Metric nodes
:param rows => [{id: 'metric/accuracy', props: {id: 'metric/accuracy', type: 'METRIC', label: 'accuracy', aliases: ['accuracy'], alias_counts: [1], paper_count: 1, mention_count: 1, first_seen: '2021-01-04', last_seen: '2021-01-04', confidence: 1.0, ambiguous_type: false}}, {id: 'metric/bleu', props: {id: 'metric/bleu', type: 'METRIC', label: 'BLEU', aliases: ['BLEU'], alias_counts: [1], paper_count: 1, mention_count: 1, first_seen: '2022-05', last_seen: '2022-05', confidence: 1.0, ambiguous_type: false}}]
UNWIND $rows AS row MERGE (n:Concept {id: row.id}) SET n:Metric WITH n, row WHERE properties(n) <> row.props SET n = row.props;
// 2 Concept:Task nodes
:param rows => [{id: 'task/machine-translation', props: {id: 'task/machine-translation', type: 'TASK', label: 'machine translation', aliases: ['machine translation'], alias_counts: [1], paper_count: 1, mention_count: 1, first_seen: '2022-05', last_seen: '2022-05', confidence: 1.0, ambiguous_type: false}}, {id: 'task/node-classification', props: {id: 'task/node-classification', type: 'TASK', label: 'node classification', aliases: ['Node Classification', 'node classification'], alias_counts: [1, 1], paper_count: 2, mention_count: 2, first_seen: '--08-05', last_seen: '2021-01-04', confidence: 1.0, ambiguous_type: false}}]
UNWIND $rows AS row MERGE (n:Concept {id: row.id}) SET n:Task WITH n, row WHERE properties(n) <> row.props SET n = row.props;
// 4 Evidence nodes
:param rows => [{id: 'e1', props: {id: 'e1', paper: 'arxiv:2101.00001', sentence: 'We propose GraphSAGE-X, a "fast" graph neural network (GNN).', sentence_start: 46, sentence_end: 106, span_starts: [57], span_ends: [68], quotes: ['GraphSAGE-X'], method: 'rule:test', confidence: 0.9}}, {id: 'e10', props: {id: 'e10', paper: 'title:0123456789abcdef', sentence: 'GNNs are used for node classification on Cora.', sentence_start: 33, sentence_end: 79, span_starts: [33], span_ends: [37], quotes: ['GNNs'], method: 'rule:test', confidence: 0.9}}, {id: 'e11', props: {id: 'e11', paper: 'title:0123456789abcdef', sentence: 'GNNs are used for node classification on Cora.', sentence_start: 33, sentence_end: 79, span_starts: [51], span_ends: [70], quotes: ['node classification'], method: 'rule:test', confidence: 0.9}}, {id: 'e12', props: {id: 'e12', paper: 'title:0123456789abcdef', sentence: 'GNNs are used for node classification on Cora.', sentence_start: 33, sentence_end: 79, span_starts: [74], span_ends: [78], quotes: ['Cora'], method: 'rule:test', confidence: 0.9}}]
UNWIND $rows AS row MERGE (n:Evidence {id: row.id}) WITH n, row WHERE properties(n) <> row.props SET n = row.props;
// 4 Evidence nodes
:param rows => [{id: 'e13', props: {id: 'e13', paper: 'arxiv:2101.00001', sentence: 'We evaluate GraphSAGE-X on Cora, reporting accuracy.', sentence_start: 107, sentence_end: 159, span_starts: [119, 134], span_ends: [130, 138], quotes: ['GraphSAGE-X', 'Cora'], method: 'rule:test', confidence: 0.9}}, {id: 'e14', props: {id: 'e14', paper: 'title:0123456789abcdef', sentence: 'GNNs are used for node classification on Cora.', sentence_start: 33, sentence_end: 79, span_starts: [33, 51], span_ends: [37, 70], quotes: ['GNNs', 'node classification'], method: 'rule:test', confidence: 0.9}}, {id: 'e15', props: {id: 'e15', paper: 'doi:10.1000/xyz,1', sentence: 'Transformers are used for machine translation.', sentence_start: 46, sentence_end: 92, span_starts: [46, 72], span_ends: [58, 91], quotes: ['Transformers', 'machine translation'], method: 'rule:test', confidence: 0.9}}, {id: 'e16', props: {id: 'e16', paper: 'title:0123456789abcdef', sentence: 'GNNs are used for node classification on Cora.', sentence_start: 33, sentence_end: 79, span_starts: [33, 74], span_ends: [37, 78], quotes: ['GNNs', 'Cora'], method: 'rule:test', confidence: 0.9}}]
UNWIND $rows AS row MERGE (n:Evidence {id: row.id}) WITH n, row WHERE properties(n) <> row.props SET n = row.props;
// 4 Evidence nodes
:param rows => [{id: 'e17', props: {id: 'e17', paper: 'arxiv:2101.00001', sentence: 'We propose GraphSAGE-X, a "fast" graph neural network (GNN).', sentence_start: 46, sentence_end: 106, span_starts: [57, 79], span_ends: [68, 99], quotes: ['GraphSAGE-X', 'graph neural network'], method: 'rule:test', confidence: 0.9}}, {id: 'e2', props: {id: 'e2', paper: 'arxiv:2101.00001', sentence: 'We propose GraphSAGE-X, a "fast" graph neural network (GNN).', sentence_start: 46, sentence_end: 106, span_starts: [79], span_ends: [99], quotes: ['graph neural network'], method: 'rule:test', confidence: 0.9}}, {id: 'e3', props: {id: 'e3', paper: 'arxiv:2101.00001', sentence: 'We evaluate GraphSAGE-X on Cora, reporting accuracy.', sentence_start: 107, sentence_end: 159, span_starts: [134], span_ends: [138], quotes: ['Cora'], method: 'rule:test', confidence: 0.9}}, {id: 'e4', props: {id: 'e4', paper: 'arxiv:2101.00001', sentence: 'We evaluate GraphSAGE-X on Cora, reporting accuracy.', sentence_start: 107, sentence_end: 159, span_starts: [150], span_ends: [158], quotes: ['accuracy'], method: 'rule:test', confidence: 0.9}}]
UNWIND $rows AS row MERGE (n:Evidence {id: row.id}) WITH n, row WHERE properties(n) <> row.props SET n = row.props;
// 4 Evidence nodes
:param rows => [{id: 'e5', props: {id: 'e5', paper: 'arxiv:2101.00001', sentence: 'Graph Neural Networks for Node Classification', sentence_start: 0, sentence_end: 45, span_starts: [26], span_ends: [45], quotes: ['Node Classification'], method: 'rule:test', confidence: 0.9}}, {id: 'e6', props: {id: 'e6', paper: 'doi:10.1000/xyz,1', sentence: '<script>alert(1)</script> Transformers, again', sentence_start: 0, sentence_end: 45, span_starts: [26], span_ends: [38], quotes: ['Transformers'], method: 'rule:test', confidence: 0.9}}, {id: 'e7', props: {id: 'e7', paper: 'doi:10.1000/xyz,1', sentence: 'Transformers are used for machine translation.', sentence_start: 46, sentence_end: 92, span_starts: [72], span_ends: [91], quotes: ['machine translation'], method: 'rule:test', confidence: 0.9}}, {id: 'e8', props: {id: 'e8', paper: 'doi:10.1000/xyz,1', sentence: 'We report BLEU on WMT\'14 \u2014 na\u00efvely, \u00abquoted\u00bb.', sentence_start: 93, sentence_end: 138, span_starts: [103], span_ends: [107], quotes: ['BLEU'], method: 'rule:test', confidence: 0.9}}]
UNWIND $rows AS row MERGE (n:Evidence {id: row.id}) WITH n, row WHERE properties(n) <> row.props SET n = row.props;
// 1 Evidence nodes
:param rows => [{id: 'e9', props: {id: 'e9', paper: 'doi:10.1000/xyz,1', sentence: 'We report BLEU on WMT\'14 \u2014 na\u00efvely, \u00abquoted\u00bb.', sentence_start: 93, sentence_end: 138, span_starts: [111], span_ends: [117], quotes: ['WMT\'14'], method: 'rule:test', confidence: 0.9}}]
UNWIND $rows AS row MERGE (n:Evidence {id: row.id}) WITH n, row WHERE properties(n) <> row.props SET n = row.props;
// 3 MENTIONS relationships
:param rows => [{start: 'arxiv:2101.00001', end: 'method/graph-neural-networks', props: {count: 2, confidence: 1.0, evidence: ['e2']}}, {start: 'title:0123456789abcdef', end: 'method/graph-neural-networks', props: {count: 2, confidence: 1.0, evidence: ['e10']}}, {start: 'title:0123456789abcdef', end: 'task/node-classification', props: {count: 1, confidence: 1.0, evidence: ['e11']}}]
UNWIND $rows AS row MATCH (a:Paper {id: row.start}) MATCH (b:Concept {id: row.end}) MERGE (a)-[r:MENTIONS]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 1 PROPOSES relationships
:param rows => [{start: 'arxiv:2101.00001', end: 'method/graphsage-x', props: {count: 1, confidence: 0.9, evidence: ['e1']}}]
UNWIND $rows AS row MATCH (a:Paper {id: row.start}) MATCH (b:Concept {id: row.end}) MERGE (a)-[r:PROPOSES]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 1 USES relationships
:param rows => [{start: 'doi:10.1000/xyz,1', end: 'method/transformers', props: {count: 2, confidence: 1.0, evidence: ['e6']}}]
UNWIND $rows AS row MATCH (a:Paper {id: row.start}) MATCH (b:Concept {id: row.end}) MERGE (a)-[r:USES]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 3 EVALUATES_ON relationships
:param rows => [{start: 'arxiv:2101.00001', end: 'dataset/cora', props: {count: 1, confidence: 1.0, evidence: ['e3']}}, {start: 'doi:10.1000/xyz,1', end: 'dataset/wmt-14', props: {count: 1, confidence: 1.0, evidence: ['e9']}}, {start: 'title:0123456789abcdef', end: 'dataset/cora', props: {count: 1, confidence: 1.0, evidence: ['e12']}}]
UNWIND $rows AS row MATCH (a:Paper {id: row.start}) MATCH (b:Concept {id: row.end}) MERGE (a)-[r:EVALUATES_ON]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 2 REPORTS relationships
:param rows => [{start: 'arxiv:2101.00001', end: 'metric/accuracy', props: {count: 1, confidence: 1.0, evidence: ['e4']}}, {start: 'doi:10.1000/xyz,1', end: 'metric/bleu', props: {count: 1, confidence: 1.0, evidence: ['e8']}}]
UNWIND $rows AS row MATCH (a:Paper {id: row.start}) MATCH (b:Concept {id: row.end}) MERGE (a)-[r:REPORTS]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 2 ADDRESSES relationships
:param rows => [{start: 'arxiv:2101.00001', end: 'task/node-classification', props: {count: 1, confidence: 1.0, evidence: ['e5']}}, {start: 'doi:10.1000/xyz,1', end: 'task/machine-translation', props: {count: 1, confidence: 1.0, evidence: ['e7']}}]
UNWIND $rows AS row MATCH (a:Paper {id: row.start}) MATCH (b:Concept {id: row.end}) MERGE (a)-[r:ADDRESSES]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 2 USED_FOR relationships
:param rows => [{start: 'method/graph-neural-networks', end: 'task/node-classification', props: {count: 1, papers: 1, weight: 1, confidence: 0.8, evidence: ['e14']}}, {start: 'method/transformers', end: 'task/machine-translation', props: {count: 1, papers: 1, weight: 1, confidence: 0.8, evidence: ['e15']}}]
UNWIND $rows AS row MATCH (a:Concept {id: row.start}) MATCH (b:Concept {id: row.end}) MERGE (a)-[r:USED_FOR]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 1 EVALUATE_FOR relationships
:param rows => [{start: 'method/graphsage-x', end: 'dataset/cora', props: {count: 1, papers: 1, weight: 1, confidence: 0.8, evidence: ['e13']}}]
UNWIND $rows AS row MATCH (a:Concept {id: row.start}) MATCH (b:Concept {id: row.end}) MERGE (a)-[r:EVALUATE_FOR]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 1 HYPONYM_OF relationships
:param rows => [{start: 'method/graphsage-x', end: 'method/graph-neural-networks', props: {count: 1, papers: 1, weight: 1, confidence: 0.7, evidence: ['e17']}}]
UNWIND $rows AS row MATCH (a:Concept {id: row.start}) MATCH (b:Concept {id: row.end}) MERGE (a)-[r:HYPONYM_OF]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 1 CO_OCCURS relationships
:param rows => [{start: 'method/graph-neural-networks', end: 'dataset/cora', props: {count: 1, papers: 1, weight: 1, confidence: 1.0, evidence: ['e16']}}]
UNWIND $rows AS row MATCH (a:Concept {id: row.start}) MATCH (b:Concept {id: row.end}) MERGE (a)-[r:CO_OCCURS]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 4 IN_PAPER relationships
:param rows => [{start: 'e1', end: 'arxiv:2101.00001', props: {}}, {start: 'e10', end: 'title:0123456789abcdef', props: {}}, {start: 'e11', end: 'title:0123456789abcdef', props: {}}, {start: 'e12', end: 'title:0123456789abcdef', props: {}}]
UNWIND $rows AS row MATCH (a:Evidence {id: row.start}) MATCH (b:Paper {id: row.end}) MERGE (a)-[r:IN_PAPER]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 4 IN_PAPER relationships
:param rows => [{start: 'e13', end: 'arxiv:2101.00001', props: {}}, {start: 'e14', end: 'title:0123456789abcdef', props: {}}, {start: 'e15', end: 'doi:10.1000/xyz,1', props: {}}, {start: 'e16', end: 'title:0123456789abcdef', props: {}}]
UNWIND $rows AS row MATCH (a:Evidence {id: row.start}) MATCH (b:Paper {id: row.end}) MERGE (a)-[r:IN_PAPER]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 4 IN_PAPER relationships
:param rows => [{start: 'e17', end: 'arxiv:2101.00001', props: {}}, {start: 'e2', end: 'arxiv:2101.00001', props: {}}, {start: 'e3', end: 'arxiv:2101.00001', props: {}}, {start: 'e4', end: 'arxiv:2101.00001', props: {}}]
UNWIND $rows AS row MATCH (a:Evidence {id: row.start}) MATCH (b:Paper {id: row.end}) MERGE (a)-[r:IN_PAPER]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 4 IN_PAPER relationships
:param rows => [{start: 'e5', end: 'arxiv:2101.00001', props: {}}, {start: 'e6', end: 'doi:10.1000/xyz,1', props: {}}, {start: 'e7', end: 'doi:10.1000/xyz,1', props: {}}, {start: 'e8', end: 'doi:10.1000/xyz,1', props: {}}]
UNWIND $rows AS row MATCH (a:Evidence {id: row.start}) MATCH (b:Paper {id: row.end}) MERGE (a)-[r:IN_PAPER]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
// 1 IN_PAPER relationships
:param rows => [{start: 'e9', end: 'doi:10.1000/xyz,1', props: {}}]
UNWIND $rows AS row MATCH (a:Evidence {id: row.start}) MATCH (b:Paper {id: row.end}) MERGE (a)-[r:IN_PAPER]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props;
