"""The print stylesheet every page of a run carries (the reports, their full versions and the
index). A module of its own, importing nothing: the export process reads it without loading
the reports' libraries."""

#: the print stylesheet every page carries: A4, no navigation, tables that break between rows,
#: charts within the page width, data tables and sliders left out
PRINT_CSS = """
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5pt; color: #000; }
  main, .jp-Notebook { max-width: none !important; padding: 0 !important; margin: 0 !important; }
  nav, .reports-nav, .dz-sliders, details.dz-data, .jp-InputPrompt, .jp-OutputPrompt { display: none !important; }
  .wrap, .dz-table-wrap { overflow: visible !important; }
  table { width: 100%; font-size: 8.5pt; page-break-inside: auto; }
  .jp-RenderedHTMLCommon table, table.dz-table { table-layout: auto !important; }  /* columns as wide as their text needs */
  thead { display: table-header-group; }
  tr, img, figure { break-inside: avoid; page-break-inside: avoid; }
  th { position: static !important; }
  td, th { overflow-wrap: break-word !important; max-width: none !important; }
  .jp-Cell { padding: 0 !important; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  img { width: auto !important; height: auto !important; max-width: 100% !important; max-height: 235mm; }
  a { color: #000; text-decoration: none; }
}
"""
