-- The seeded catalogue (README, "The db service").
INSERT INTO products (name, category, price, slogan, description, stock) VALUES
    ('SUSTech Hoodie', 'Apparel', 49.99, 'Campus colours, all winter long.',
     'Heavyweight cotton-blend hoodie with the embroidered SUSTech crest.', 500),
    ('SUSTech Water Bottle', 'Drinkware', 19.99, 'Refill, reuse, represent.',
     'Insulated 600 ml stainless-steel bottle printed with the SUSTech logo.', 500),
    ('SUSTech Notebook', 'Stationery', 9.99, 'Ideas start on paper.',
     'A5 dot-grid notebook, 160 pages, SUSTech cover.', 500);
