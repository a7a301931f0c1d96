// Allure 3: configuração do relatório de homologação, com as mesmas categorias de reports/categories.json
// (que o Allure 2 lê da pasta de resultados). Gerado por: python -m homologa.suite.reporting reports
// Uso: homologa relatorio (escreve uma igual para cada execução, com as categorias dela; ver docs/suite.md)
export default {
  name: "Homologação do cadastro de clientes — contrato v1",
  categories: { rules: [
    { name: "status divergente", matchers: { statuses: ["failed"], message: new RegExp("^(?:.*\\[status divergente\\].*)$", "s") } },
    { name: "erro retornado", matchers: { statuses: ["failed"], message: new RegExp("^(?:.*\\[erro retornado\\].*)$", "s") } },
    { name: "resposta inválida", matchers: { statuses: ["failed"], message: new RegExp("^(?:.*\\[resposta inv\u00e1lida\\].*)$", "s") } },
    { name: "eco divergente", matchers: { statuses: ["failed"], message: new RegExp("^(?:.*\\[eco divergente\\].*)$", "s") } },
    { name: "falha de transporte", matchers: { statuses: ["failed"], message: new RegExp("^(?:.*\\[falha de transporte\\].*)$", "s") } },
    { name: "resposta insegura", matchers: { statuses: ["failed"], message: new RegExp("^(?:.*\\[resposta insegura\\].*)$", "s") } },
    { name: "latência acima do orçamento", matchers: { statuses: ["failed"], message: new RegExp("^(?:.*\\[lat\u00eancia acima do or\u00e7amento\\].*)$", "s") } },
    { name: "boa prática não atendida (consultiva)", matchers: { statuses: ["skipped"], message: new RegExp("^(?:.*boa pr\u00e1tica.*)$", "s") } },
    { name: "falha do próprio homologa", matchers: { statuses: ["broken"] } },
  ] },
};
