// A Node.js handler: counts the words of the text it is given.
exports.handler = async (event) => {
  const words = (event.text || "").split(/\s+/).filter(Boolean);
  console.log(`counted ${words.length} words`);
  return { words: words.length, longest: words.reduce((a, b) => (b.length > a.length ? b : a), "") };
};
